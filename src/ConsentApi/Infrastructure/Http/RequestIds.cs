using System.Diagnostics;

namespace ConsentApi.Infrastructure.Http;

public static class RequestIds
{
    public const string HeaderName = "X-Request-Id";

    /// <summary>The caller's <c>X-Request-Id</c> when it is a sane token, else the W3C trace id of this request.</summary>
    public static string Of(HttpContext context)
    {
        var supplied = context.Request.Headers[HeaderName].ToString();
        return supplied.Length is > 0 and <= 128 && supplied.All(c => c is > ' ' and < (char)127)
            ? supplied
            : Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
    }
}
