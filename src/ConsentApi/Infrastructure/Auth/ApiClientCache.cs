using System.Collections.Concurrent;
using ConsentApi.Infrastructure.Observability;
using Microsoft.Extensions.Options;

namespace ConsentApi.Infrastructure.Auth;

public sealed class ApiKeyOptions
{
    public const string Section = "ApiKeys";

    /// <summary>
    /// How long an instance may reuse a key lookup before asking the database again: the bound on how long a key revoked
    /// through another instance keeps working here. Zero looks every request up.
    /// </summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>The API client behind a key prefix, as the database had it moments ago.</summary>
public sealed record CachedApiClient(Guid Id, Guid OrganisationId, byte[] KeyHash, List<string> Scopes, List<Guid> SchoolIds)
{
    // The claims' texts, made once per entry rather than on every request the entry answers.
    internal string IdText { get; } = Id.ToString();

    internal string OrganisationIdText { get; } = OrganisationId.ToString();

    internal string[] SchoolIdTexts { get; } = [.. SchoolIds.Select(s => s.ToString())];
}

/// <summary>
/// Spares every request the key lookup while a client is busy: entries live for <see cref="ApiKeyOptions.CacheDuration"/>,
/// and revoking a key drops its entry on this instance once the revocation has committed. The key itself is still
/// compared against the stored hash on every request. Nothing about consent is cached.
/// A prefix no unrevoked client has is remembered as unknown for as long, apart from the found clients so that guessing
/// many prefixes cannot push them out: a caller repeating a bad key costs one lookup, not one per request. A new key
/// gets a new random prefix, so remembering a prefix as unknown never hides a key created since.
/// A prefix this instance has not found before is only looked up while <c>mayLookUpUnseen</c> allows it (the caller's
/// address has budget left): guessing a new prefix per request would otherwise cost a query each. Prefixes found before
/// stay remembered after their entry expires, so a known client calling from a refused address is still looked up.
/// </summary>
public sealed class ApiClientCache(IOptionsMonitor<ApiKeyOptions> options, TimeProvider clock, ConsentMetrics? metrics = null)
{
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, (CachedApiClient Client, DateTimeOffset Until)> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _unknown = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    // Bumped by every Forget: a lookup that began before it may have read the row as it was before the revocation, so
    // it must not store what it read.
    private long _generation;

    /// <summary>
    /// The answer for <paramref name="prefix"/> while its entry is fresh (a client, or null for a prefix remembered as
    /// unknown), counted as a hit; false when only a lookup (<see cref="GetAsync"/>) can answer.
    /// </summary>
    public bool TryGetFresh(string prefix, out CachedApiClient? client)
    {
        var now = clock.GetUtcNow();
        if (_entries.TryGetValue(prefix, out var entry) && entry.Until > now)
        {
            metrics?.KeyCacheHit();
            client = entry.Client;
            return true;
        }
        if (_unknown.TryGetValue(prefix, out var unknownUntil) && unknownUntil > now)
        {
            metrics?.KeyCacheHit();
            client = null;
            return true;
        }
        client = null;
        return false;
    }

    public async Task<CachedApiClient?> GetAsync(string prefix, Func<Task<CachedApiClient?>> lookup, Func<bool>? mayLookUpUnseen = null)
    {
        if (TryGetFresh(prefix, out var fresh))
        {
            return fresh;
        }
        var now = clock.GetUtcNow();
        if (mayLookUpUnseen is not null && !_entries.ContainsKey(prefix) && !mayLookUpUnseen())
        {
            return null;
        }
        metrics?.KeyCacheMiss();
        var generation = Interlocked.Read(ref _generation);
        var client = await lookup();
        var duration = options.CurrentValue.CacheDuration;
        if (duration <= TimeSpan.Zero)
        {
            _entries.TryRemove(prefix, out _);
            _unknown.TryRemove(prefix, out _);
            return client;
        }
        lock (_gate)
        {
            if (client is null)
            {
                _entries.TryRemove(prefix, out _);
                Remember(_unknown, prefix, now + duration);
            }
            else if (_generation == generation)
            {
                _unknown.TryRemove(prefix, out _);
                Remember(_entries, prefix, (client, now + duration));
            }
        }
        return client;
    }

    private static void Remember<T>(ConcurrentDictionary<string, T> entries, string prefix, T value)
    {
        if (entries.Count >= MaxEntries)
        {
            entries.Clear();
        }
        entries[prefix] = value;
    }

    public void Forget(string prefix)
    {
        lock (_gate)
        {
            _generation++;
            _entries.TryRemove(prefix, out _);
        }
    }
}
