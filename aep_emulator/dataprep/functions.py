"""The Data Prep mapping functions and operators, as ``GET /languages/el/functions`` and ``/operators`` list them.

The function list is help/data-prep/functions.md ("List of functions": every table row, its
category, syntax, description, sample expression and output); the answer's keys are those of the
``/languages/el/functions`` example in help/data-prep/api/functions.md (category, function,
description, syntax, returns, returnType, example, result, params, since). The two functions that
example shows in full (``date``, ``first``) carry its values; for the others the page gives no
return type or parameter list, so ``returnType`` is ``java.lang.Object`` and ``params`` is empty.
The operators are those of the ``/languages/el/operators`` example plus the arithmetic, comparison
and logical operators of the expression language (help/data-prep/functions.md names the reserved
words ``mod``, ``div``, ``and``, ``or``, ``not``, ``eq``, ``ne``, ``lt``, ``gt``, ``le``, ``ge``).
"""

from __future__ import annotations

from typing import Any

# (category, function, syntax, description, sample expression, sample output)
_FUNCTIONS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("String", "concat", "concat(STRING_1, STRING_2)", "Concatenates the given strings.", 'concat("Hi, ", "there", "!")', '"Hi, there!"'),
    ("String", "explode", "explode(STRING, REGEX)", "Splits the string based on a regex and returns an array of parts.", 'explode("Hi, there!", " ")', '["Hi,", "there"]'),
    ("String", "instr", "instr(INPUT, SUBSTRING, START_POSITION, OCCURRENCE)", "Returns the location/index of a substring.", 'instr("adobe.com", "com")', "6"),
    ("String", "replacestr", "replacestr(INPUT, TO_FIND, TO_REPLACE)", "Replaces the search string if present in original string.", 'replacestr("This is a string re test", "re", "replace")', '"This is a string replace test"'),
    ("String", "substr", "substr(INPUT, START_INDEX, LENGTH)", "Returns a substring of a given length.", 'substr("This is a substring test", 7, 8)', '" a subst"'),
    ("String", "lower", "lower(INPUT)", "Converts a string to lowercase.", 'lower("HeLLo")', '"hello"'),
    ("String", "lcase", "lcase(INPUT)", "Converts a string to lowercase.", 'lcase("HeLLo")', '"hello"'),
    ("String", "upper", "upper(INPUT)", "Converts a string to uppercase.", 'upper("HeLLo")', '"HELLO"'),
    ("String", "ucase", "ucase(INPUT)", "Converts a string to uppercase.", 'ucase("HeLLo")', '"HELLO"'),
    ("String", "split", "split(INPUT, SEPARATOR)", "Splits an input string on a separator.", 'split("Hello world", " ")', '["Hello", "world"]'),
    ("String", "join", "join(SEPARATOR, [OBJECTS])", "Joins a list of objects using the separator.", 'join(" ", to_array(true, "Hello", "world"))', '"Hello world"'),
    ("String", "lpad", "lpad(INPUT, COUNT, PADDING)", "Pads the left side of a string with the other given string.", 'lpad("bat", 8, "yz")', '"yzyzybat"'),
    ("String", "rpad", "rpad(INPUT, COUNT, PADDING)", "Pads the right side of a string with the other given string.", 'rpad("bat", 8, "yz")', '"batyzyzy"'),
    ("String", "left", "left(STRING, COUNT)", 'Gets the first "n" characters of the given string.', 'left("abcde", 2)', '"ab"'),
    ("String", "right", "right(STRING, COUNT)", 'Gets the last "n" characters of the given string.', 'right("abcde", 2)', '"de"'),
    ("String", "ltrim", "ltrim(STRING)", "Removes the whitespace from the beginning of the string.", 'ltrim(" hello")', '"hello"'),
    ("String", "rtrim", "rtrim(STRING)", "Removes the whitespace from the end of the string.", 'rtrim("hello ")', '"hello"'),
    ("String", "trim", "trim(STRING)", "Removes the whitespace from the beginning and the end of the string.", 'trim(" hello ")', '"hello"'),
    ("String", "equals", "STRING1.equals(STRING2)", "Compares two strings to confirm if they are equal (case sensitive).", '"string1".equals("STRING1")', "false"),
    ("String", "equalsIgnoreCase", "STRING1.equalsIgnoreCase(STRING2)", "Compares two strings to confirm if they are equal (not case sensitive).", '"string1".equalsIgnoreCase("STRING1")', "true"),
    ("Regular expression", "extract_regex", "extract_regex(STRING, REGEX)", "Extracts groups from the input string, based on a regular expression.", 'extract_regex("E259,E259B_009,1_1", "([^,]+),[^,]*,([^,]+)")', '["E259,E259B_009,1_1", "E259", "1_1"]'),
    ("Regular expression", "matches_regex", "matches_regex(STRING, REGEX)", "Checks to see if the string matches against the inputted regular expression.", 'matches_regex("E259,E259B_009,1_1", "([^,]+),[^,]*,([^,]+)")', "true"),
    ("Hashing", "sha1", "sha1(INPUT, CHARSET)", "Takes an input and produces a hash value using SHA-1.", 'sha1("my text", "UTF-8")', "c3599c11e47719df18a2448690840c5dfcce3c80"),
    ("Hashing", "sha256", "sha256(INPUT, CHARSET)", "Takes an input and produces a hash value using SHA-256.", 'sha256("my text", "UTF-8")', "7330d2b39ca35eaf4cb95fc846c21ee6a39af698154a83a586ee270a0d372104"),
    ("Hashing", "sha512", "sha512(INPUT, CHARSET)", "Takes an input and produces a hash value using SHA-512.", 'sha512("my text", "UTF-8")', ""),
    ("Hashing", "md5", "md5(INPUT, CHARSET)", "Takes an input and produces a hash value using MD5.", 'md5("my text", "UTF-8")', "d3b96ce8c9fb4e9bd0198d03ba6852c7"),
    ("Hashing", "crc32", "crc32(INPUT, CHARSET)", "Produces a 32-bit cyclic redundancy check code.", 'crc32("my text", "UTF-8")', "8df92e80"),
    ("URL", "get_url_protocol", "get_url_protocol(URL)", "Returns the protocol from the given URL.", 'get_url_protocol("https://platform.adobe.com/home")', "https"),
    ("URL", "get_url_host", "get_url_host(URL)", "Returns the host of the given URL.", 'get_url_host("https://platform.adobe.com/home")', "platform.adobe.com"),
    ("URL", "get_url_port", "get_url_port(URL)", "Returns the port of the given URL.", 'get_url_port("sftp://example.com//home/joe/employee.csv")', "22"),
    ("URL", "get_url_path", "get_url_path(URL, FULL_PATH)", "Returns the path of the given URL.", 'get_url_path("sftp://example.com//home/joe/employee.csv")', '"//home/joe/employee.csv"'),
    ("URL", "get_url_query_str", "get_url_query_str(URL, ANCHOR)", "Returns the query string of a given URL as a map.", 'get_url_query_str("foo://example.com:8042/over/there?name=ferret#nose", "retain")', '{"name": "ferret#nose"}'),
    ("URL", "get_url_encoded", "get_url_encoded(URL)", "Encodes the special characters of a URL.", 'get_url_encoded("https://example.com/a b")', "https%3A%2F%2Fexample.com%2Fa%20b"),
    ("URL", "get_url_decoded", "get_url_decoded(URL)", "Decodes the encoded characters of a URL.", 'get_url_decoded("https%3A%2F%2Fexample.com")', "https://example.com"),
    ("Date / Time", "now", "now()", "Retrieves the current time.", "now()", "2021-10-26T10:10:24Z"),
    ("Date / Time", "timestamp", "timestamp()", "Retrieves the current Unix time.", "timestamp()", "1571850624571"),
    ("Date / Time", "format", "format(DATE, FORMAT)", "Formats the input date according to a specified format.", 'format(now(), "yyyy-MM-dd HH:mm:ss")', "2019-10-23 11:24:35"),
    ("Date / Time", "dformat", "dformat(TIMESTAMP, FORMAT)", "Converts a timestamp to a date string according to a specified format.", "dformat(1571829875000, \"yyyy-MM-dd'T'HH:mm:ss.SSSX\")", "2019-10-23T11:24:35.000Z"),
    ("Date / Time", "date", "ZonedDateTime date(String, String, ZonedDateTime)", "Function that converts date string into a ZonedDateTime object.", "", ""),
    ("Date / Time", "date_part", "date_part(COMPONENT, DATE)", "Retrieves the parts of the date.", 'date_part("MM", date("2019-10-17 11:55:12"))', "10"),
    ("Date / Time", "set_date_part", "set_date_part(COMPONENT, VALUE, DATE)", "Replaces a component in a given date.", 'set_date_part("m", 4, date("2016-11-09T11:44:44.797"))', '"2016-04-09T11:44:44Z"'),
    ("Date / Time", "make_date_time", "make_date_time(YEAR, MONTH, DAY, HOUR, MINUTE, SECOND, NANOSECOND, TIMEZONE)", "Creates a date from parts.", 'make_date_time(2019, 10, 17, 11, 55, 12, 999, "America/Los_Angeles")', "2019-10-17T11:55:12Z"),
    ("Date / Time", "make_timestamp", "make_timestamp(YEAR, MONTH, DAY, HOUR, MINUTE, SECOND, NANOSECOND, TIMEZONE)", "Creates a date from parts (the other name of make_date_time).", "", ""),
    ("Date / Time", "zone_date_to_utc", "zone_date_to_utc(DATE)", "Converts a date in any timezone to a date in UTC.", "zone_date_to_utc(now())", "2019-10-17T19:55:12Z"),
    ("Date / Time", "zone_date_to_zone", "zone_date_to_zone(DATE, ZONE)", "Converts a date from one timezone to another timezone.", 'zone_date_to_zone(now(), "Europe/Paris")', "2021-10-26T15:43:59Z"),
    ("Hierarchies - Objects", "is_empty", "is_empty(INPUT)", "Checks whether or not an object is empty.", "is_empty([1, null, 2, 3])", "false"),
    ("Hierarchies - Objects", "arrays_to_object", "arrays_to_object(INPUT)", "Creates a list of objects.", "", ""),
    ("Hierarchies - Objects", "arrays_to_objects", "arrays_to_objects(INPUT)", "Creates a list of objects (the name the sample expression uses).", "arrays_to_objects('sku', explode(\"id1|id2\", '\\\\|'), 'price', [22.5,14.35])", '[{"sku": "id1", "price": 22.5}, {"sku": "id2", "price": 14.35}]'),
    ("Hierarchies - Objects", "to_object", "to_object(INPUT)", "Creates an object based on the flat key/value pairs given.", 'to_object("firstName", "John", "lastName", "Doe")', '{"firstName": "John", "lastName": "Doe"}'),
    ("Hierarchies - Objects", "str_to_object", "str_to_object(STRING, VALUE_DELIMITER, FIELD_DELIMITER)", "Creates an object from the input string.", 'str_to_object("firstName=John,lastName=Doe", "=", ",")', '{"firstName": "John", "lastName": "Doe"}'),
    ("Hierarchies - Objects", "contains_key", "contains_key(INPUT)", "Checks if the object exists within the source data.", 'contains_key("evars.evar.field1")', "true"),
    ("Hierarchies - Objects", "is_set", "is_set(INPUT)", "Deprecated: replaced by contains_key.", "", ""),
    ("Hierarchies - Objects", "nullify", "nullify()", "Sets the value of the attribute to null.", "nullify()", "null"),
    ("Hierarchies - Objects", "get_keys", "get_keys(OBJECT)", "Parses the key/value pairs and returns all the keys.", 'get_keys(to_object("book1", "Pride and Prejudice", "book2", "1984"))', '["book1", "book2"]'),
    ("Hierarchies - Objects", "get_values", "get_values(STRING, KEY, VALUE_DELIMITER, FIELD_DELIMITER)", "Parses the key/value pairs and returns the value of the string, based on the given key.", 'get_values("firstName - John , lastName - Cena", "firstName", "-", ",")', "John"),
    ("Hierarchies - Objects", "get", "OBJECT.get(KEY)", "Retrieves the value of a key of an object (used with str_to_object).", 'str_to_object("firstName - John", "-", ";").get("firstName")', '"John"'),
    ("Hierarchies - Arrays", "coalesce", "coalesce(INPUT)", "Returns the first non-null object in a given array.", 'coalesce(null, null, null, "first", null, "second")', '"first"'),
    ("Hierarchies - Arrays", "first", "T first(T...)", "Function to retrieve the first element of the given array.", 'first("1", "2", "3")', '"1"'),
    ("Hierarchies - Arrays", "last", "last(INPUT)", "Retrieves the last element of the given array.", 'last("1", "2", "3")', '"3"'),
    ("Hierarchies - Arrays", "add_to_array", "add_to_array(ARRAY, VALUES)", "Adds elements to the end of the array.", "add_to_array(['a', 'b'], 'c', 'd')", "['a', 'b', 'c', 'd']"),
    ("Hierarchies - Arrays", "join_arrays", "join_arrays(ARRAY, VALUES)", "Combines the arrays with each other.", "join_arrays(['a', 'b'], ['c'], ['d', 'e'])", "['a', 'b', 'c', 'd', 'e']"),
    ("Hierarchies - Arrays", "to_array", "to_array(INCLUDE_NULLS, VALUES)", "Takes a list of inputs and converts it to an array.", "to_array(false, 1, null, 2, 3)", "[1, 2, 3]"),
    ("Hierarchies - Arrays", "size_of", "size_of(INPUT)", "Returns the size of the input.", "size_of([1, 2, 3, 4])", "4"),
    ("Hierarchies - Arrays", "upsert_array_append", "upsert_array_append(ARRAY)", "Appends the input array to the array in Profile (updates only).", "upsert_array_append([123, 456])", "[123, 456]"),
    ("Hierarchies - Arrays", "upsert_array_replace", "upsert_array_replace(ARRAY)", "Replaces elements in an array in Profile (updates only).", "upsert_array_replace([123, 456], 1)", "[123, 456]"),
    ("Logical operators", "decode", "decode(KEY, OPTIONS)", "Returns the value paired with the key in a flattened key/value array, or the default at its end.", 'decode(stateCode, "ca", "California", "pa", "Pennsylvania", "N/A")', '"California"'),
    ("Logical operators", "iif", "iif(EXPRESSION, TRUE_VALUE, FALSE_VALUE)", "Evaluates a boolean expression and returns the value for its result.", 'iif("s".equalsIgnoreCase("S"), "True", "False")', '"True"'),
    ("Aggregation", "min", "min(OPTIONS)", "Returns the minimum of the given arguments.", "min(3, 1, 4)", "1"),
    ("Aggregation", "max", "max(OPTIONS)", "Returns the maximum of the given arguments.", "max(3, 1, 4)", "4"),
    ("Type conversions", "to_bigint", "to_bigint(STRING)", "Converts a string to a BigInteger.", 'to_bigint("1000000.34")', "1000000.34"),
    ("Type conversions", "to_decimal", "to_decimal(STRING)", "Converts a string to a Double.", 'to_decimal("20.5")', "20.5"),
    ("Type conversions", "to_float", "to_float(STRING)", "Converts a string to a Float.", 'to_float("12.3456")', "12.34566"),
    ("Type conversions", "to_integer", "to_integer(STRING)", "Converts a string to an Integer.", 'to_integer("12")', "12"),
    ("JSON", "json_to_object", "json_to_object(STRING)", "Deserialize JSON content from the given string.", "", ""),
    ("Special operations", "uuid", "uuid()", "Generates a pseudo-random ID.", "uuid()", "7c0267d2-bb74-4e1a-9275-3bf4fccda5f4"),
    ("Special operations", "guid", "guid()", "Generates a pseudo-random ID.", "guid()", "c7016dc7-3163-43f7-afc7-2e1c9c206333"),
    ("Special operations", "fpid_to_ecid", "fpid_to_ecid(STRING)", "Converts an FPID string into an ECID.", 'fpid_to_ecid("4ed70bee-b654-420a-a3fd-b58b6b65e991")', '"28880788470263023831040523038280731744"'),
    ("User agent", "ua_os_name", "ua_os_name(USER_AGENT)", "Extracts the operating system name from the user agent string.", "", "iOS"),
    ("User agent", "ua_os_version_major", "ua_os_version_major(USER_AGENT)", "Extracts the operating system's major version from the user agent string.", "", "iOS 5"),
    ("User agent", "ua_os_version", "ua_os_version(USER_AGENT)", "Extracts the operating system's version from the user agent string.", "", "5.1.1"),
    ("User agent", "ua_os_name_version", "ua_os_name_version(USER_AGENT)", "Extracts the operating system's name and version from the user agent string.", "", "iOS 5.1.1"),
    ("User agent", "ua_agent_version", "ua_agent_version(USER_AGENT)", "Extracts the agent version from the user agent string.", "", "5.1"),
    ("User agent", "ua_agent_version_major", "ua_agent_version_major(USER_AGENT)", "Extracts the agent name and major version from the user agent string.", "", "Safari 5"),
    ("User agent", "ua_agent_name", "ua_agent_name(USER_AGENT)", "Extracts the agent name from the user agent string.", "", "Safari"),
    ("User agent", "ua_device_class", "ua_device_class(USER_AGENT)", "Extracts the device class from the user agent string.", "", "Phone"),
)  # fmt: skip

# The fields help/data-prep/api/functions.md shows for the two functions of its example.
_DOCUMENTED = {
    "date": {"returns": "Returns the date object that is formatted in given format or a default date if the "
                        "expression evaluates to a null date.", "returnType": "java.time.ZonedDateTime"},
    "first": {"returns": "The first element or null if the array is null or empty.", "returnType": "java.lang.Object",
              "params": [{"name": "values", "description": "Zero or more arguments", "type": "object",
                          "dataType": "[Ljava.lang.Object;", "position": 1}]},
}  # fmt: skip
# Methods called on a value (``"a".equals(b)``, ``obj.get("k")``) rather than as functions.
METHODS = frozenset({"equals", "equalsIgnoreCase", "get"})
FUNCTION_NAMES = frozenset(name for _, name, *_ in _FUNCTIONS) - METHODS


def function_list() -> list[dict[str, Any]]:
    """The ``GET /languages/el/functions`` answer."""
    listed = []
    for category, name, syntax, description, example, result in _FUNCTIONS:
        entry: dict[str, Any] = {
            "category": category, "function": name, "description": description, "syntax": syntax,
            "returns": description, "returnType": "java.lang.Object", "example": example, "result": result,
            "params": [], "since": 1,
        }  # fmt: skip
        entry.update(_DOCUMENTED.get(name, {}))
        listed.append(entry)
    return listed


# (symbol, method name, operands, description, example); the first five are the documented example.
_OPERATORS: tuple[tuple[str, str, int, str, str], ...] = (
    ("+", "add", 2, "Simple arithmetic addition", "1 + 2"),
    ("/", "divide", 2, "Simple arithmetic division", "1 / 2"),
    ("~", "complement", 1, "The usual ~ operator is used, e.g.\n~33\n, ~0010 0001 = 1101 1110 = -34.", "~44"),
    ("-", "negate", 1, "The unary - operator is used. For example\n-12", "-12"),
    ("!", "not", 1, "The usual ! operator can be used as well as the word not, e.g.\n!cond1\nand\nnot cond1\nare equivalent", "!cond1"),
    ("-", "subtract", 2, "Simple arithmetic subtraction", "2 - 1"),
    ("*", "multiply", 2, "Simple arithmetic multiplication", "2 * 3"),
    ("%", "mod", 2, "Remainder of a division; the word mod is equivalent", "7 % 2"),
    ("==", "equals", 2, "Equality; the word eq is equivalent", "a == b"),
    ("!=", "notEquals", 2, "Inequality; the word ne is equivalent", "a != b"),
    ("<", "lessThan", 2, "Less than; the word lt is equivalent", "1 < 2"),
    ("<=", "lessThanOrEqual", 2, "Less than or equal; the word le is equivalent", "1 <= 2"),
    (">", "greaterThan", 2, "Greater than; the word gt is equivalent", "2 > 1"),
    (">=", "greaterThanOrEqual", 2, "Greater than or equal; the word ge is equivalent", "2 >= 1"),
    ("&&", "and", 2, "Logical and; the word and is equivalent", "cond1 && cond2"),
    ("||", "or", 2, "Logical or; the word or is equivalent", "cond1 || cond2"),
)  # fmt: skip


def operator_list() -> list[dict[str, Any]]:
    """The ``GET /languages/el/operators`` answer, with the keys of the documented example."""
    return [
        {"operatorSymbol": symbol, "methodName": method, "numberOfOperands": operands, "description": description,
         "example": example}
        for symbol, method, operands, description, example in _OPERATORS
    ]  # fmt: skip
