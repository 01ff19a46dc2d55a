using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConsentApi.Domain;
using ConsentApi.Tests.Features.Access;
using ConsentApi.Tests.Infrastructure;

namespace ConsentApi.Tests.Features;

/// <summary>
/// Every operation of the committed contract, called by callers who may not: without a key, by another organisation
/// naming this one's ids, by a key limited to another school of the organisation naming the first school's ids, and by
/// a key holding every scope but the ones the contract says the operation accepts. Each gets its refusal, as a status
/// the operation declares and as Problem Details, never a 5xx, and another organisation's next request still succeeds.
/// Ids are real: both organisations get one object of every kind through the API (<see cref="AccessWorld"/>).
/// </summary>
public sealed class HostileAccessTests : ApiTest
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Webhooks:AllowHttp"] = "true",
        ["Webhooks:AllowPrivateNetworks"] = "true",
    };

    private static readonly string[] Variants = ["no key", "another organisation", "another school", "missing scope"];
    private readonly Dictionary<string, int> _sent = Variants.ToDictionary(v => v, _ => 0);
    private readonly Dictionary<string, HttpClient> _withoutScope = [];

    private Tenant _own = null!;
    private Tenant _other = null!;
    private AccessWorld.Ids _ownIds = null!;
    private AccessWorld.Ids _secondSchoolIds = null!;
    private HttpClient _otherSchool = null!;

    public static IEnumerable<ContractOperation> Operations() => ContractOperations.All();

    public static IEnumerable<ContractOperation> KeyedOperations() => Operations().Where(o => !o.IsAnonymous);

    public static IEnumerable<ContractOperation> OperationsOnOrganisationData() =>
        KeyedOperations().Where(o => Row(o)?.OtherOrganisationNotFound ?? true);

    /// <summary>Operations on a school's data, and every operation that names a guardian (see <see cref="NamesAGuardian"/>).</summary>
    public static IEnumerable<ContractOperation> OperationsOnSchools() =>
        KeyedOperations().Where(o => Row(o)?.OtherSchool != AccessWorld.OtherSchool.NotApplicable || NamesAGuardian(o));

    /// <summary>
    /// A guardian belongs to no school: the other-school case names one known only at the first school, and everything else
    /// (pupil, form version) of the caller's own school, so that only the guardian can make the answer a 404.
    /// </summary>
    private static bool NamesAGuardian(ContractOperation operation) => operation.Path.Contains("{guardian", StringComparison.Ordinal);

    private static AccessWorld.Operation? Row(ContractOperation operation) =>
        AccessWorld.Operations.SingleOrDefault(o => o.ToString() == operation.ToString());

    [OneTimeSetUp]
    public async Task CreateWorldsAsync()
    {
        _own = await CreateTenantAsync();
        _other = await CreateTenantAsync();
        _ownIds = await AccessWorld.CreateAsync(_own, Factory);
        _secondSchoolIds = await AccessWorld.CreateAsync(_own, Factory, "-2", _own.SchoolIds[1]);
        await AccessWorld.CreateAsync(_other, Factory, "-b");
        _otherSchool = await _own.ClientWithAsync([.. Scopes.Assignable], [_own.SchoolIds[1]]);
    }

    [OneTimeTearDown]
    public void WriteCounts() =>
        TestContext.Progress.WriteLine("Hostile access requests: " + string.Join(", ", Variants.Select(v =>
            $"{v} {_sent[v]}")) + $", {_sent.Values.Sum()} in all");

    [TestCaseSource(nameof(Operations))]
    public Task Without_a_key_is_401_except_the_health_checks(ContractOperation operation) =>
        AssertAnsweredAsync("no key", Client(), operation, operation.IsAnonymous ? 200 : 401, _other, _ownIds);

    [TestCaseSource(nameof(OperationsOnOrganisationData))]
    public Task With_another_organisations_ids_is_404(ContractOperation operation) =>
        AssertAnsweredAsync("another organisation", _other.Full(), operation, 404, _own, _ownIds);

    [TestCaseSource(nameof(OperationsOnSchools))]
    public async Task With_another_schools_ids_is_404_or_403_for_organisation_wide_changes(ContractOperation operation)
    {
        var ids = NamesAGuardian(operation)
            ? _secondSchoolIds with { GuardianId = _ownIds.GuardianId, GuardianExternalId = _ownIds.GuardianExternalId }
            : _ownIds;
        await AssertAnsweredAsync("another school", _otherSchool, operation,
            Row(operation)?.OtherSchool == AccessWorld.OtherSchool.Forbidden ? 403 : 404, _other, ids);
    }

    [TestCaseSource(nameof(KeyedOperations))]
    public async Task Without_the_scope_the_contract_names_is_403(ContractOperation operation)
    {
        var scopes = operation.RequiredScopes;
        Assert.That(scopes, Is.Not.Empty, $"the contract's description of {operation} names no required scope");
        var key = string.Join(" ", scopes);
        if (!_withoutScope.TryGetValue(key, out var client))
        {
            // A platform operation refuses even a key with every organisation scope; an operation that accepts any of
            // several refuses a key with every other one.
            client = _withoutScope[key] = await _own.ClientWithAsync([.. Scopes.Assignable.Except(scopes)]);
        }
        await AssertAnsweredAsync("missing scope", client, operation, 403, _other, _ownIds);
    }

    /// <summary>
    /// Sends the operation naming <paramref name="ids"/> and collects everything wrong with the answer; the bystander is an
    /// organisation other than the caller's, whose next request must still succeed.
    /// </summary>
    private async Task AssertAnsweredAsync(string variant, HttpClient caller, ContractOperation operation, int expected,
        Tenant bystander, AccessWorld.Ids ids)
    {
        var row = Row(operation);
        Assert.That(row is not null || operation.IsAnonymous, $"{operation} is in the contract but not in {nameof(AccessWorld)}.{nameof(AccessWorld.Operations)}");
        using var request = row is null ? new HttpRequestMessage(new HttpMethod(operation.Method), operation.Path) : AccessWorld.Request(row, ids);
        using var response = await caller.SendAsync(request);
        _sent[variant]++;
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync();
        var wrong = new List<string>();
        if (status >= 500 || !operation.Declared.Contains(status.ToString(CultureInfo.InvariantCulture)))
        {
            wrong.Add($"{status} is a 5xx or not declared: {body}");
        }
        if (status != expected)
        {
            wrong.Add($"{status} instead of {expected}: {body}");
        }
        if (status is >= 400 and < 500 && ProblemIn(response, body, status) is { } notAProblem)
        {
            wrong.Add(notAProblem);
        }
        var next = await bystander.Full().GetAsync($"/v1/schools/{bystander.SchoolId}");
        if (!next.IsSuccessStatusCode)
        {
            wrong.Add($"another organisation's next request answered {(int)next.StatusCode}");
        }
        TestContext.Out.WriteLine($"{variant} {operation}: {status} (expected {expected})");
        Assert.That(wrong, Is.Empty);
    }

    /// <summary>What keeps the answer from being Problem Details of its own status, or null.</summary>
    private static string? ProblemIn(HttpResponseMessage response, string body, int status)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return $"{status} is {response.Content.Headers.ContentType?.MediaType ?? "untyped"}, not Problem Details: {body}";
        }
        try
        {
            var problem = JsonNode.Parse(body)!.AsObject();
            return string.IsNullOrEmpty((string?)problem["type"]) || string.IsNullOrEmpty((string?)problem["title"]) || (int?)problem["status"] != status
                ? $"{status} Problem Details lacks type, title or its status: {body}"
                : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return $"{status} Problem Details is not a JSON object: {body}";
        }
    }
}
