using System.Text.Json;
using ConsentApi.Baseline;
using ConsentApi.Infrastructure;
using ConsentApi.Infrastructure.Persistence;
using Npgsql;

// The physical limit the API is measured against: Kestrel and raw Npgsql (pooled connections without reset, every
// statement prepared), running the SQL the API runs and writing JSON of the same shape with the same serializer options. No
// authentication, rate limiting, validation, mediator, EF Core or mapping: the ratio API/baseline is what those cost.
var builder = WebApplication.CreateSlimBuilder(args);
var connectionString = new NpgsqlConnectionStringBuilder(builder.Configuration.GetConnectionString("ConsentDb")
    ?? throw new InvalidOperationException("ConnectionStrings__ConsentDb is not set."))
{
    MaxAutoPrepare = 50,
    AutoPrepareMinUsages = 1,
    NoResetOnClose = true,
}.ConnectionString;
builder.Services.AddSingleton(NpgsqlDataSource.Create(connectionString));
// The fastest SQL runs its prepared statements on generic plans: left to choose, PostgreSQL keeps planning some of them
// afresh on every execution (custom plans), which cost the matrix a quarter of its throughput here.
builder.Services.AddSingleton(new FastestDb(NpgsqlDataSource.Create(
    new NpgsqlConnectionStringBuilder(connectionString) { Options = "-c plan_cache_mode=force_generic_plan" }.ConnectionString)));
builder.Services.AddSingleton(new Tenant(Guid.Parse(builder.Configuration["Baseline:OrganisationId"]
    ?? throw new InvalidOperationException("Baseline__OrganisationId is not set."))));
// The API client the by-hand writes record as theirs (decisions' recorded_by_client_id, the audit event's client).
var clientId = Guid.Parse(builder.Configuration["Baseline:ClientId"] ?? Guid.Empty.ToString());
builder.Services.ConfigureHttpJsonOptions(options => ConsentApiServices.Configure(options.SerializerOptions));
var json = ConsentApiServices.CreateJsonOptions();

var app = builder.Build();
// As the API does (PoolRepair): a pooled connection whose prepared statements fell out of step with the server's fails
// every later use of them, so its pool is cleared and the request answered 503, instead of failing the rest of the run.
app.Use(async (context, next) =>
{
    try
    {
        await next(context);
    }
    catch (Exception e) when (e.AsDatabaseOutage() == DatabaseOutage.OutOfStep && !context.Response.HasStarted)
    {
        context.RequestServices.GetRequiredService<NpgsqlDataSource>().Clear();
        context.RequestServices.GetRequiredService<FastestDb>().Source.Clear();
        await Console.Error.WriteLineAsync($"A pooled connection fell out of step ({e.SqlState()}); both pools cleared: {e}");
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
    }
});
app.MapGet("/health/live", () => "Healthy");
app.MapPost("/v1/publication-checks", async (HttpRequest request, NpgsqlDataSource db, Tenant tenant, CancellationToken ct) =>
{
    var check = await JsonSerializer.DeserializeAsync<ConsentApi.Features.Consents.CheckPublicationRequest>(request.Body, json, ct);
    return await Queries.CheckAsync(db, tenant, check!, ct) is { } answer ? Results.Ok(answer) : Results.NotFound();
});
app.MapGet("/v1/pupils/{pupilId:guid}/consents", async (Guid pupilId, NpgsqlDataSource db, Tenant tenant, CancellationToken ct) =>
    await Queries.MatrixAsync(db, tenant, pupilId, ct) is { } matrix ? Results.Ok(matrix) : Results.NotFound());
app.MapGet("/v1/schools/{schoolId:guid}/groups/{groupId:guid}/consent-overview",
    async (Guid schoolId, Guid groupId, NpgsqlDataSource db, Tenant tenant, CancellationToken ct) =>
        await Queries.OverviewAsync(db, tenant, schoolId, groupId, ct) is { } overview ? Results.Ok(overview) : Results.NotFound());

// The fastest correct SQL for the same answers (FastestQueries), and the API's writes for a person's decisions by hand
// (WriteBaseline), under /fastest.
var fastest = app.MapGroup("/fastest");
fastest.MapPost("/v1/publication-checks", async (HttpRequest request, FastestDb fastestDb, Tenant tenant, CancellationToken ct) =>
{
    var check = await JsonSerializer.DeserializeAsync<ConsentApi.Features.Consents.CheckPublicationRequest>(request.Body, json, ct);
    return await FastestQueries.CheckAsync(fastestDb.Source, tenant, check!, ct) is { } answer ? Results.Ok(answer) : Results.NotFound();
});
fastest.MapGet("/v1/pupils/{pupilId:guid}/consents", async (Guid pupilId, FastestDb fastestDb, Tenant tenant, CancellationToken ct) =>
    await FastestQueries.MatrixAsync(fastestDb.Source, tenant, pupilId, ct) is { } matrix ? Results.Ok(matrix) : Results.NotFound());
fastest.MapGet("/v1/schools/{schoolId:guid}/groups/{groupId:guid}/consent-overview",
    async (Guid schoolId, Guid groupId, FastestDb fastestDb, Tenant tenant, CancellationToken ct) =>
        await FastestQueries.OverviewAsync(fastestDb.Source, tenant, schoolId, groupId, ct) is { } overview ? Results.Ok(overview) : Results.NotFound());
fastest.MapPost("/v1/pupils/{pupilId:guid}/decisions",
    async (Guid pupilId, HttpRequest request, FastestDb fastestDb, Tenant tenant, CancellationToken ct) =>
    {
        var body = await JsonSerializer.DeserializeAsync<ConsentApi.Features.Consents.RecordDecisionsRequest>(request.Body, json, ct);
        return await WriteBaseline.RecordAsync(fastestDb.Source, tenant, clientId, pupilId, body!, request.HttpContext.TraceIdentifier, ct);
    });
app.Run();
