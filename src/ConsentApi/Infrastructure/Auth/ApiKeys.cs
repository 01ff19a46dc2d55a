using System.Security.Cryptography;
using System.Text;

namespace ConsentApi.Infrastructure.Auth;

/// <summary>
/// API keys look like <c>cak_3f9a0c1d2e4b_Zx…</c>: a recognisable prefix, a public lookup id and 256 random bits.
/// Only the SHA-256 of the whole key is stored; a key has enough entropy that a slow hash adds nothing.
/// </summary>
public static class ApiKeys
{
    public const string HeaderName = "X-Api-Key";
    private const string Marker = "cak_";
    private const int LookupIdLength = 12;
    public const int PrefixLength = 4 + LookupIdLength; // "cak_" + lookup id

    public static (string Key, string Prefix, byte[] Hash) Generate()
    {
        var prefix = Marker + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(LookupIdLength / 2));
        var key = prefix + "_" + Base64Url(RandomNumberGenerator.GetBytes(32));
        return (key, prefix, Hash(key));
    }

    /// <summary>The lookup prefix of a well-formed key, or null for anything else.</summary>
    public static string? PrefixOf(string key) =>
        key.Length == PrefixLength + 1 + 43 && key.StartsWith(Marker, StringComparison.Ordinal) && key[PrefixLength] == '_'
            ? key[..PrefixLength]
            : null;

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public static bool Matches(string presentedKey, byte[] storedHash)
    {
        // Every request compares its key: a key of the usual length is hashed on the stack, without allocating.
        if (presentedKey.Length > MaxStackKeyLength)
        {
            return CryptographicOperations.FixedTimeEquals(Hash(presentedKey), storedHash);
        }
        Span<byte> utf8 = stackalloc byte[MaxStackKeyLength * 3];
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..Encoding.UTF8.GetBytes(presentedKey, utf8)], hash);
        return CryptographicOperations.FixedTimeEquals(hash, storedHash);
    }

    private const int MaxStackKeyLength = 128;

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
