using System.Security.Cryptography;
using System.Text;

namespace ConsentApi.Infrastructure.Events;

/// <summary>Standard Webhooks signatures: <c>v1,</c> + base64 HMAC-SHA256 over <c>{id}.{timestamp}.{body}</c>.</summary>
public static class WebhookSigner
{
    public const string SecretPrefix = "whsec_";

    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static string Sign(string secret, string id, long timestamp, string body)
    {
        var key = Convert.FromBase64String(secret[SecretPrefix.Length..]);
        var signature = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}"));
        return "v1," + Convert.ToBase64String(signature);
    }
}
