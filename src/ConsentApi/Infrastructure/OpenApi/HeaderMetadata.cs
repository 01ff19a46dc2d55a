namespace ConsentApi.Infrastructure.OpenApi;

/// <summary>Endpoint metadata: the operation chooses its language from <c>Accept-Language</c>, as this says.</summary>
public sealed record HonoursAcceptLanguage(string Description);

/// <summary>
/// Endpoint metadata: a 200 in a text format comes with <c>Content-Disposition</c>, as this says (the filename and
/// whether it is an attachment or shown inline).
/// </summary>
public sealed record SendsContentDisposition(string Description);
