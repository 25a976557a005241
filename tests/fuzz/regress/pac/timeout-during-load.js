f{ var f{ var s = 'var f{ var s = 'x'; Âfor{
s = 'x'; for{
  // an old; }