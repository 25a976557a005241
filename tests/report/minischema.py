"""minischema.py - a validator for the subset of JSON Schema (2020-12)
that docs/report.schema.json uses: type, enum, const, properties, required,
additionalProperties, items, minItems, minimum, maximum, minLength, pattern,
$ref (local "#/$defs/..."), allOf, anyOf, if/then. Any other keyword is an
error, so the schema cannot silently use something this does not check."""
import re

KNOWN = {"$schema", "$id", "title", "description", "type", "enum", "const",
         "properties", "required", "additionalProperties", "items", "minItems",
         "minimum", "maximum", "minLength", "pattern", "$ref", "allOf", "anyOf",
         "if", "then", "$defs"}

TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or
                         (isinstance(v, float) and v.is_integer()),
}


class SchemaError(Exception):
    pass


def validate(instance, schema, root=None, path="$"):
    """Returns a list of "path: message" errors (empty when valid)."""
    root = root if root is not None else schema
    errs = []
    if schema is True:
        return errs
    if schema is False:
        return ["%s: not allowed" % path]
    unknown = set(schema) - KNOWN
    if unknown:
        raise SchemaError("unsupported keywords %s at %s" % (sorted(unknown), path))
    if "$ref" in schema:
        ref = schema["$ref"]
        if not ref.startswith("#/"):
            raise SchemaError("only local $ref: " + ref)
        target = root
        for part in ref[2:].split("/"):
            target = target[part]
        errs += validate(instance, target, root, path)
    t = schema.get("type")
    if t is not None:
        types = t if isinstance(t, list) else [t]
        if not any(TYPES[x](instance) for x in types):
            return errs + ["%s: expected %s, got %s" % (path, t, type(instance).__name__)]
    if "enum" in schema and instance not in schema["enum"]:
        errs.append("%s: %r not one of %r" % (path, instance, schema["enum"]))
    if "const" in schema and instance != schema["const"]:
        errs.append("%s: %r is not %r" % (path, instance, schema["const"]))
    if isinstance(instance, str):
        if len(instance) < schema.get("minLength", 0):
            errs.append("%s: shorter than %d" % (path, schema["minLength"]))
        if "pattern" in schema and not re.search(schema["pattern"], instance):
            errs.append("%s: %r does not match %s" % (path, instance[:80], schema["pattern"]))
    if TYPES["number"](instance):
        if "minimum" in schema and instance < schema["minimum"]:
            errs.append("%s: %r < %r" % (path, instance, schema["minimum"]))
        if "maximum" in schema and instance > schema["maximum"]:
            errs.append("%s: %r > %r" % (path, instance, schema["maximum"]))
    if isinstance(instance, dict):
        props = schema.get("properties", {})
        for k in schema.get("required", []):
            if k not in instance:
                errs.append("%s: missing %r" % (path, k))
        for k, v in instance.items():
            if k in props:
                errs += validate(v, props[k], root, "%s.%s" % (path, k))
            elif "additionalProperties" in schema:
                errs += validate(v, schema["additionalProperties"], root, "%s.%s" % (path, k))
    if isinstance(instance, list):
        if len(instance) < schema.get("minItems", 0):
            errs.append("%s: fewer than %d items" % (path, schema["minItems"]))
        if "items" in schema:
            for i, v in enumerate(instance):
                errs += validate(v, schema["items"], root, "%s[%d]" % (path, i))
    for sub in schema.get("allOf", []):
        errs += validate(instance, sub, root, path)
    if "anyOf" in schema and not any(not validate(instance, s, root, path) for s in schema["anyOf"]):
        errs.append("%s: matches none of anyOf" % path)
    if "if" in schema and not validate(instance, schema["if"], root, path):
        errs += validate(instance, schema.get("then", True), root, path)
    return errs
