using System.Text;
using ConsentApi.Tests.Infrastructure;

namespace ConsentApi.Tests.Features;

/// <summary>
/// Every operation of the committed contract, sent hostile query values and hostile bodies by a key holding every scope:
/// no answer is a 5xx, every answer is a status the operation declares, every 4xx is Problem Details, and another
/// organisation's next request still succeeds.
/// </summary>
public sealed class HostileInputTests : ApiTest
{
    private static readonly string[] HostileValues = ["\u0000", "%00", "' OR 1=1 --", new string('9', 400), "-1", "1e400", "\u202e\u0007", "../../etc/passwd"];

    private static readonly string[] HostileBodies =
    [
        """{"name":""",
        string.Concat(Enumerable.Repeat("[", 5000)) + string.Concat(Enumerable.Repeat("]", 5000)),
        """{"name":"a","name":"b"}""",
        """{"limit":1e400,"number":99999999999999999999999999999}""",
        "[]",
        "\"\\u0000\"",
        """{"unknownField":true}""",
        "null",
        """{"externalId":"\u0000","displayName":{"$ref":"x"},"pupilIds":[null,"x"],"items":"all"}""",
    ];

    public static IEnumerable<ContractOperation> Operations() => ContractOperations.All();

    private static string Fill(string path) =>
        System.Text.RegularExpressions.Regex.Replace(path, "{([^}]+)}", m =>
            m.Groups[1].Value.EndsWith("Id", StringComparison.Ordinal) ? Guid.CreateVersion7().ToString() : "OV1");

    [TestCaseSource(nameof(Operations))]
    public async Task No_hostile_request_is_a_5xx_or_an_undeclared_status(ContractOperation operation)
    {
        var tenant = await CreateTenantAsync();
        var other = await CreateTenantAsync();
        var client = Client(tenant.FullKey);
        var declared = operation.Declared;
        var queryNames = (operation.Definition["parameters"]?.AsArray() ?? [])
            .Where(p => (string?)p!["in"] == "query").Select(p => (string)p!["name"]!).ToList();
        var requests = new List<HttpRequestMessage>();
        foreach (var name in queryNames)
        {
            foreach (var value in HostileValues)
            {
                requests.Add(new HttpRequestMessage(new HttpMethod(operation.Method),
                    $"{Fill(operation.Path)}?{name}={Uri.EscapeDataString(value)}"));
            }
        }
        if (operation.Definition["requestBody"] is not null)
        {
            foreach (var body in HostileBodies)
            {
                requests.Add(new HttpRequestMessage(new HttpMethod(operation.Method), Fill(operation.Path))
                {
                    Content = new StringContent(body, Encoding.UTF8, "application/json"),
                });
            }
        }
        if (requests.Count == 0)
        {
            requests.Add(new HttpRequestMessage(new HttpMethod(operation.Method), Fill(operation.Path)));
        }

        var wrong = new List<string>();
        foreach (var request in requests)
        {
            var description = $"{request.RequestUri} {(request.Content is null ? "" : (await request.Content.ReadAsStringAsync())[..Math.Min(40, (int)(request.Content.Headers.ContentLength ?? 0))])}";
            using var response = await client.SendAsync(request);
            var status = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            if ((int)response.StatusCode >= 500 || !declared.Contains(status))
            {
                wrong.Add($"{status} for {description}: {await response.Content.ReadAsStringAsync()}");
            }
            else if ((int)response.StatusCode >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            {
                wrong.Add($"{status} without Problem Details for {description}");
            }
            var next = await Client(other.FullKey).GetAsync("/v1/schools");
            if (!next.IsSuccessStatusCode)
            {
                wrong.Add($"another organisation's next request answered {(int)next.StatusCode} after {description}");
            }
        }
        TestContext.Out.WriteLine($"{operation}: {requests.Count} hostile requests, {wrong.Count} wrong");
        Assert.That(wrong, Is.Empty);
    }
}
