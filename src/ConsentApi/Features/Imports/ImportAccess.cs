using ConsentApi.Domain;
using ConsentApi.Domain.Imports;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;

namespace ConsentApi.Features.Imports;

/// <summary>
/// Who may read an import job: a client with <c>roster:read</c> reads every job of the schools it sees; any other client
/// reads the jobs of the kinds it may upload, so that a system that keys in paper forms with <c>consent:write</c> alone
/// can follow the jobs it starts without being able to read the roster files.
/// </summary>
internal static class ImportAccess
{
    /// <summary>The scope that uploads a kind of file; its upload route requires it, and it lets a client read such jobs.</summary>
    public static string UploadScope(ImportKind kind) => kind switch
    {
        ImportKind.Edexml or ImportKind.GuardiansCsv => Scopes.RosterWrite,
        ImportKind.ConsentFormsCsv => Scopes.ConsentWrite,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "A kind without an upload scope."),
    };

    /// <summary>The scopes that read some import jobs: the operations that read jobs accept any one of them.</summary>
    public static readonly IReadOnlyList<string> ReadScopes =
        [Scopes.RosterRead, .. Enum.GetValues<ImportKind>().Select(UploadScope).Distinct()];

    /// <summary>The kinds of job the client may read.</summary>
    public static IReadOnlyList<ImportKind> ReadableKinds(CurrentClient client) =>
        Enum.GetValues<ImportKind>().Where(k => client.HasScope(Scopes.RosterRead) || client.HasScope(UploadScope(k))).ToList();

    /// <summary>The jobs of the kinds the client may read.</summary>
    public static IQueryable<ImportJob> ReadableBy(this IQueryable<ImportJob> jobs, CurrentClient client)
    {
        var kinds = ReadableKinds(client);
        return jobs.Where(j => kinds.Contains(j.Kind));
    }

    /// <summary>Throws forbidden for a job the client sees but may not read: like a missing scope, and unlike a job it cannot see.</summary>
    public static void EnsureReadable(ImportJob job, CurrentClient client)
    {
        if (!ReadableKinds(client).Contains(job.Kind))
        {
            throw new ForbiddenException(
                $"Reading this import job needs the scope '{Scopes.RosterRead}' or '{UploadScope(job.Kind)}', the one that uploads its kind.");
        }
    }
}
