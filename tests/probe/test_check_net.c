/* test_check_net.c - placeholder, filled below */
#include <criterion/criterion.h>
Test(check_net, placeholder) { cr_assert(1); }
