using System.Net;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ConsentApi.Infrastructure.Errors;

/// <summary>
/// <c>GET /problems/{type}</c>: a short page per problem kind, what it means and what a client should do, so that the
/// <c>type</c> URI of a Problem Details body leads somewhere. Anonymous (someone reading an error has no key at hand)
/// and outside the v1 contract: it is documentation for people, not an operation clients call.
/// </summary>
public static class ProblemPages
{
    /// <summary>Plain text and an inline stylesheet: no scripts, frames, forms or anything fetched.</summary>
    public const string Policy = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static IEndpointRouteBuilder MapProblemPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/problems/{type}", Page)
            .AllowAnonymous()
            .ExcludeFromDescription();
        return app;
    }

    private static Results<ContentHttpResult, NotFound> Page(string type, HttpContext context, IOptions<ProblemTypeOptions> options)
    {
        if (!ProblemTypes.All.TryGetValue(type, out var kind))
        {
            return TypedResults.NotFound();
        }
        context.Response.Headers.ContentSecurityPolicy = Policy;
        // The pages change only with a release.
        context.Response.Headers.CacheControl = "public, max-age=3600";
        return TypedResults.Content(Html(kind, options.Value.UriFor(kind.Slug)), "text/html; charset=utf-8");
    }

    /// <summary>The page; the kind's texts are the API's own, with inline code marked up, and nothing in it comes from a request.</summary>
    public static string Html(ProblemKind kind, string uri) => $$"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>{{WebUtility.HtmlEncode(kind.Title)}} — ConsentApi problem</title>
        <style>
        body { font-family: system-ui, sans-serif; max-width: 42rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #1a1a1a; }
        code { background: #f2f2f2; padding: 0 .2rem; }
        .type { color: #555; font-size: .9rem; word-break: break-all; }
        </style>
        </head>
        <body>
        <h1>{{WebUtility.HtmlEncode(kind.Title)}}</h1>
        <p class="type">HTTP {{kind.Status}} · <code>type</code>: <code>{{WebUtility.HtmlEncode(uri)}}</code></p>
        <h2>What it means</h2>
        <p>{{kind.Meaning}}</p>
        <h2>What to do</h2>
        <p>{{kind.WhatToDo}}</p>
        <p>Every problem also carries <code>title</code>, <code>status</code>, <code>detail</code> (when there is more to say),
        <code>instance</code> (the request's path) and <code>traceId</code> (quote it when reporting a problem). Branch on
        <code>type</code>, never on the texts.</p>
        </body>
        </html>
        """;
}
