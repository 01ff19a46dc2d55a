using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ConsentApi.Tests.Infrastructure;

/// <summary>One operation of the committed OpenAPI document, as the contract-driven suites read it.</summary>
public sealed partial record ContractOperation(string Method, string Path, JsonObject Definition)
{
    /// <summary>The statuses the contract declares for the operation.</summary>
    public IReadOnlySet<string> Declared => Definition["responses"]!.AsObject().Select(r => r.Key).ToHashSet();

    /// <summary>Whether the operation needs no key (its security requirement is empty: the health checks).</summary>
    public bool IsAnonymous => Definition["security"] is JsonArray { Count: 0 };

    /// <summary>
    /// The scopes the description names, any one of which the operation accepts ("Requires scope `x`.", "Requires scope
    /// `x`, `y` or `z`."), or empty when it names none.
    /// </summary>
    public IReadOnlyList<string> RequiredScopes =>
        RequiredScopePattern().Match((string?)Definition["description"] ?? "") is { Success: true } match
            ? match.Groups[1].Captures.Select(c => c.Value).ToList()
            : [];

    public override string ToString() => $"{Method} {Path}";

    [GeneratedRegex("Requires scope (?:(?:, | or )?`([^`]+)`(?: \\([^)]*\\))?)+\\.")]
    private static partial Regex RequiredScopePattern();
}

/// <summary>The operations of <c>openapi/consent-api.v1.json</c>, read from the repository rather than from the app.</summary>
public static class ContractOperations
{
    private static readonly JsonObject Document =
        JsonNode.Parse(File.ReadAllText(Path.Combine(Repository(), "openapi", "consent-api.v1.json")))!.AsObject();

    public static IEnumerable<ContractOperation> All() =>
        Document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject()
            .Where(o => o.Key is "get" or "post" or "put" or "patch" or "delete")
            .Select(o => new ContractOperation(o.Key.ToUpperInvariant(), path.Key, o.Value!.AsObject())));

    private static string Repository()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ConsentApi.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("The repository root was not found.");
    }
}
