using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using ConsentApi.Domain;
using ConsentApi.Tests.Infrastructure;

namespace ConsentApi.Tests.Features.Access;

/// <summary>
/// Every operation that takes a JSON body answers malformed ones with a 400 Problem Details, never a 500. (A file body is
/// judged by its content instead: ProofFileTests.)
/// </summary>
public sealed partial class MalformedBodyTests : ApiTest
{
    public static IEnumerable<TestCaseData> Cases() =>
        from operation in PermissionTests.Operations.Where(o => o.Body is not null && !o.TakesFile)
        from body in new[] { "{\"unknownProperty\":1}", "[]", "\"text\"", "{", "42" }
        select new TestCaseData(operation, body).SetName($"{operation.Method} {operation.Path} with {body}");

    private Tenant _tenant = null!;

    [OneTimeSetUp]
    public async Task SetUpTenantAsync() => _tenant = await CreateTenantAsync();

    [TestCaseSource(nameof(Cases))]
    public async Task Is_a_400_problem(AccessWorld.Operation operation, string body)
    {
        var path = Placeholder().Replace(operation.Path, m => m.Groups[1].Value switch
        {
            "channelKey" => "social-media",
            "number" => "1",
            "schoolId" => _tenant.SchoolId.ToString(),
            _ => Guid.NewGuid().ToString(),
        });
        var client = operation.Scope == Scopes.Platform ? Platform() : _tenant.Full();
        using var request = new HttpRequestMessage(new HttpMethod(operation.Method), path)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };

        var response = await client.SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
    }

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex Placeholder();
}
