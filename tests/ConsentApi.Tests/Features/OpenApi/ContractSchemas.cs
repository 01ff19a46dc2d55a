using System.Text.Json.Nodes;

namespace ConsentApi.Tests.Features.OpenApi;

/// <summary>
/// Checks a JSON value against a schema of an OpenAPI 3.0 document, for the keywords the contract uses: <c>$ref</c>,
/// <c>allOf</c>, <c>type</c>, <c>required</c>, <c>properties</c>, <c>additionalProperties</c>, <c>items</c>, <c>enum</c>,
/// lengths, bounds and the formats <c>uuid</c>, <c>uri</c> and <c>uri-reference</c>. Returns every violation found.
/// </summary>
public sealed class ContractSchemas(JsonObject document)
{
    public JsonObject Resolve(JsonNode node)
    {
        var target = node.AsObject();
        while (target["$ref"] is { } reference)
        {
            var path = ((string)reference!).TrimStart('#', '/').Split('/');
            JsonNode current = document;
            foreach (var segment in path)
            {
                current = current[segment.Replace("~1", "/").Replace("~0", "~")]
                          ?? throw new InvalidOperationException($"Unresolved reference {reference}.");
            }
            target = current.AsObject();
        }
        return target;
    }

    public IReadOnlyList<string> Violations(JsonNode? value, JsonNode schema, string at = "$")
    {
        var found = new List<string>();
        Check(value, Resolve(schema), at, found);
        return found;
    }

    private void Check(JsonNode? value, JsonObject schema, string at, List<string> found)
    {
        foreach (var part in schema["allOf"]?.AsArray() ?? [])
        {
            Check(value, Resolve(part!), at, found);
        }
        if (schema["type"] is { } type && !HasType(value, (string)type!, schema["nullable"]?.GetValue<bool>() == true))
        {
            found.Add($"{at}: expected {type}, got {value?.GetValueKind().ToString() ?? "null"}");
            return;
        }
        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, value)))
        {
            found.Add($"{at}: {value?.ToJsonString()} is not one of {allowed.ToJsonString()}");
        }
        switch (value)
        {
            case JsonObject obj:
                foreach (var name in schema["required"]?.AsArray().Select(r => (string)r!) ?? [])
                {
                    if (!obj.ContainsKey(name))
                    {
                        found.Add($"{at}: required member '{name}' is missing");
                    }
                }
                var properties = schema["properties"]?.AsObject();
                foreach (var (name, member) in obj)
                {
                    if (properties?[name] is { } property)
                    {
                        Check(member, Resolve(property), $"{at}.{name}", found);
                    }
                    else if (schema["additionalProperties"] is JsonObject additional)
                    {
                        Check(member, Resolve(additional), $"{at}.{name}", found);
                    }
                    else if (schema["additionalProperties"] is JsonValue no && !no.GetValue<bool>())
                    {
                        found.Add($"{at}: member '{name}' is not allowed");
                    }
                }
                break;
            case JsonArray array:
                if (schema["maxItems"] is { } maxItems && array.Count > (int)maxItems!)
                {
                    found.Add($"{at}: {array.Count} items, at most {maxItems}");
                }
                for (var i = 0; i < array.Count; i++)
                {
                    if (schema["items"] is { } items)
                    {
                        Check(array[i], Resolve(items), $"{at}[{i}]", found);
                    }
                }
                break;
            case JsonValue scalar when scalar.GetValueKind() == System.Text.Json.JsonValueKind.String:
                var text = scalar.GetValue<string>();
                if (schema["maxLength"] is { } maxLength && text.Length > (int)maxLength!)
                {
                    found.Add($"{at}: longer than {maxLength}");
                }
                var valid = (string?)schema["format"] switch
                {
                    "uuid" => Guid.TryParse(text, out _),
                    "uri" => Uri.TryCreate(text, UriKind.Absolute, out _),
                    "uri-reference" => Uri.TryCreate(text, UriKind.RelativeOrAbsolute, out _),
                    _ => true,
                };
                if (!valid)
                {
                    found.Add($"{at}: '{text}' is not a {schema["format"]}");
                }
                break;
            case JsonValue number when number.GetValueKind() == System.Text.Json.JsonValueKind.Number:
                var n = number.GetValue<double>();
                if (schema["minimum"] is { } minimum && n < (double)minimum!)
                {
                    found.Add($"{at}: {n} is below {minimum}");
                }
                if (schema["maximum"] is { } maximum && n > (double)maximum!)
                {
                    found.Add($"{at}: {n} is above {maximum}");
                }
                break;
        }
    }

    private static bool HasType(JsonNode? value, string type, bool nullable)
    {
        if (value is null)
        {
            return nullable;
        }
        var kind = value.GetValueKind();
        return type switch
        {
            "object" => kind == System.Text.Json.JsonValueKind.Object,
            "array" => kind == System.Text.Json.JsonValueKind.Array,
            "string" => kind == System.Text.Json.JsonValueKind.String,
            "integer" => kind == System.Text.Json.JsonValueKind.Number && value.GetValue<double>() % 1 == 0,
            "number" => kind == System.Text.Json.JsonValueKind.Number,
            "boolean" => kind is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False,
            _ => true,
        };
    }
}
