using System.Text;
using System.Text.Json.Nodes;

namespace ConsentApi.Bench;

/// <summary>
/// Before anything is timed: the fastest-SQL baseline must give the API's answers. A sample of each read's requests is
/// sent to both and the JSON compared whole (states and reasons per pupil per item, the decisions shown, the order),
/// leaving out only the moments <c>at</c> and <c>asKnownAt</c>, which are each server's own now.
/// </summary>
public static class Answers
{
    public static async Task VerifyAsync(Uri api, Uri baseline, string prefix, string apiKey, string scenario, IEnumerable<WorkRequest> sample,
        Action<string> log)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var compared = 0;
        foreach (var request in sample)
        {
            var expected = await SendAsync(http, api, "", apiKey, request);
            var actual = await SendAsync(http, baseline, prefix, apiKey, request);
            if (Difference(expected, actual, "$") is { } difference)
            {
                throw new InvalidOperationException(
                    $"{scenario}: the baseline under {prefix} answers {request.Method} {request.Path} differently from the API at {difference}.");
            }
            compared++;
        }
        log($"{scenario}: {compared} answers of the baseline under {prefix} equal the API's");
    }

    private static async Task<JsonNode?> SendAsync(HttpClient http, Uri server, string prefix, string apiKey, WorkRequest request)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(server, prefix + request.Path))
        {
            Content = request.Body is null ? null : new StringContent(request.Body, Encoding.UTF8, "application/json"),
        };
        message.Headers.Add("X-Api-Key", apiKey);
        using var response = await http.SendAsync(message);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{server}{prefix}{request.Path} answered {(int)response.StatusCode}: {text}");
        }
        var node = JsonNode.Parse(text);
        if (node is JsonObject root)
        {
            root.Remove("at");
            root.Remove("asKnownAt");
        }
        return node;
    }

    /// <summary>The path of the first difference between two JSON documents, or null when they are equal.</summary>
    public static string? Difference(JsonNode? expected, JsonNode? actual, string path)
    {
        switch (expected, actual)
        {
            case (null, null):
                return null;
            case (JsonObject e, JsonObject a):
                foreach (var key in e.Select(p => p.Key).Union(a.Select(p => p.Key)))
                {
                    var inE = e.TryGetPropertyValue(key, out var ev);
                    var inA = a.TryGetPropertyValue(key, out var av);
                    if (inE != inA && (ev is not null || av is not null))
                    {
                        return $"{path}.{key} (present in only one)";
                    }
                    if (Difference(ev, av, $"{path}.{key}") is { } d)
                    {
                        return d;
                    }
                }
                return null;
            case (JsonArray e, JsonArray a):
                if (e.Count != a.Count)
                {
                    return $"{path} ({e.Count} elements, baseline {a.Count})";
                }
                for (var i = 0; i < e.Count; i++)
                {
                    if (Difference(e[i], a[i], $"{path}[{i}]") is { } d)
                    {
                        return d;
                    }
                }
                return null;
            case (JsonValue e, JsonValue a):
                return e.ToJsonString() == a.ToJsonString() ? null : $"{path} ({e.ToJsonString()}, baseline {a.ToJsonString()})";
            default:
                return $"{path} ({expected?.ToJsonString() ?? "null"}, baseline {actual?.ToJsonString() ?? "null"})";
        }
    }
}
