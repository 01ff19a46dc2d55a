using ConsentApi.Infrastructure.Errors;

namespace ConsentApi.Infrastructure.Events;

/// <summary>
/// Parses a webhook URL once, strictly. System.Uri forgives much (a backslash read as a slash, tabs and line breaks
/// dropped, an empty authority), and what it forgives is where SSRF filters are bypassed; anything it would have to
/// forgive is refused instead.
/// </summary>
public static class WebhookUrl
{
    public static Uri Parse(string url, WebhookOptions options)
    {
        if (url.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            throw Invalid("The URL may not contain spaces, line breaks or other control characters.");
        }
        if (url.Contains('\\'))
        {
            throw Invalid("The URL may not contain a backslash.");
        }
        if (url.Contains('#'))
        {
            throw Invalid("The URL may not have a fragment.");
        }
        var scheme = url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? Uri.UriSchemeHttps
            : url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && options.AllowHttp ? Uri.UriSchemeHttp
            : throw Invalid(options.AllowHttp ? "Webhook endpoints must use https or http." : "Webhook endpoints must use https.");
        var rest = url[(scheme.Length + 3)..];
        var authority = rest[..(rest.IndexOfAny(['/', '?']) is var end and >= 0 ? end : rest.Length)];
        if (authority.Length == 0)
        {
            throw Invalid("The URL has no host.");
        }
        if (authority.Contains('@'))
        {
            throw Invalid("Put no credentials in the URL; verify deliveries by their signature.");
        }
        if (authority.Contains('%'))
        {
            throw Invalid("The host may not be percent-encoded.");
        }
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != scheme || string.IsNullOrEmpty(uri.Host)
            || !string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Fragment))
        {
            throw Invalid("The URL is not a valid absolute URL.");
        }
        if (!options.IsPortAllowed(uri.Port))
        {
            throw Invalid($"Port {uri.Port} is not allowed for webhooks; use 443.");
        }
        return uri;
    }

    private static RequestValidationException Invalid(string message) => new("url", message);
}
