using System.Text;
using Microsoft.Net.Http.Headers;

namespace ConsentApi.Infrastructure.Http;

/// <summary>
/// <c>Content-Disposition</c> of a rendered document: a file name a person recognises in their downloads folder, as an
/// ASCII-safe <c>filename</c> for old clients and the exact name as UTF-8 <c>filename*</c> (RFC 6266).
/// </summary>
public static class Downloads
{
    public const string Attachment = "attachment";
    public const string Inline = "inline";

    public static void Name(HttpResponse response, string disposition, string fileName)
    {
        var header = new ContentDispositionHeaderValue(disposition);
        header.SetHttpFileName(fileName);
        response.Headers.ContentDisposition = header.ToString();
    }

    /// <summary>A name as one part of a file name: letters and digits kept (lower case), anything else one hyphen.</summary>
    public static string Part(string text)
    {
        var part = new StringBuilder(text.Length);
        foreach (var c in text.Trim())
        {
            if (char.IsLetterOrDigit(c))
            {
                part.Append(char.ToLowerInvariant(c));
            }
            else if (part.Length > 0 && part[^1] != '-')
            {
                part.Append('-');
            }
        }
        return part.ToString().TrimEnd('-') is { Length: > 0 } name ? name[..Math.Min(name.Length, 60)] : "unnamed";
    }
}
