using System.Text.Json;
using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Features.ApiClients;
using ConsentApi.Features.Audit;
using ConsentApi.Features.Groups;
using ConsentApi.Features.Guardians;
using ConsentApi.Features.Health;
using ConsentApi.Features.Organisations;
using ConsentApi.Features.Pupils;
using ConsentApi.Features.Roster;
using ConsentApi.Features.Schools;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ConsentApi.Infrastructure.OpenApi;

/// <summary>One realistic example per request and response schema: a Dutch school board, school, class and family.</summary>
internal static class Examples
{
    private static readonly Guid OrganisationId = Guid.Parse("01930f4e-7a10-7c3e-9a51-6f1d2b3c4d5e");
    private static readonly Guid SchoolId = Guid.Parse("01930f4e-7b22-7d40-8b62-7a2e3c4d5e6f");
    private static readonly Guid GroupId = Guid.Parse("01930f4e-7c34-7e51-9c73-8b3f4d5e6f70");
    private static readonly Guid PupilId = Guid.Parse("01930f4e-7d46-7f62-8d84-9c405e6f7081");
    private static readonly Guid MotherId = Guid.Parse("01930f4e-7e58-7073-9e95-ad516f708192");
    private static readonly Guid FatherId = Guid.Parse("01930f4e-7f6a-7184-8fa6-be627081a2b3");
    private static readonly Guid ClientId = Guid.Parse("01930f4e-807c-7295-90b7-cf738192b3c4");
    private static readonly DateTimeOffset Created = new(2026, 8, 24, 7, 30, 0, TimeSpan.Zero);
    private const string ApiKey = "cak_3f9a0c1d2e4b_q8Zr2vN0xYtL5mKc7WjP1dHs9uBgE3aFiO6nR4yTzQw";

    private static readonly ApiClientResponse Client = new(ClientId, "ParnasSys koppeling", "cak_3f9a0c1d2e4b",
        [Scopes.RosterRead, Scopes.RosterWrite], [SchoolId], Created, null);

    private static readonly ConsentPolicyResponse Policy = new(GrantRequires.AnyGuardian, 7, 31);

    private static readonly PupilResponse Pupil = new(PupilId, SchoolId, "LL1001", "Sanne de Vries",
        new DateOnly(2018, 3, 14), GroupId, PupilStatus.Active, null);

    private static readonly Dictionary<Type, object> ByType = new()
    {
        [typeof(CreateOrganisationCommand)] = new CreateOrganisationCommand("Stichting Openbaar Primair Onderwijs Zuid"),
        [typeof(OrganisationResponse)] = new OrganisationResponse(OrganisationId, "Stichting Openbaar Primair Onderwijs Zuid", Created, Policy),
        [typeof(CreatedOrganisationResponse)] = new CreatedOrganisationResponse(
            new OrganisationResponse(OrganisationId, "Stichting Openbaar Primair Onderwijs Zuid", Created, Policy),
            new CreatedApiClientResponse(Client with { Name = "Initial admin", Scopes = [Scopes.Admin], SchoolIds = [] }, ApiKey)),
        [typeof(SchoolRequest)] = new SchoolRequest("OBS De Regenboog", "12AB"),
        [typeof(SchoolResponse)] = new SchoolResponse(SchoolId, "OBS De Regenboog", "12AB", Created),
        [typeof(GroupRequest)] = new GroupRequest("G5B", "Groep 5b", "2026-2027"),
        [typeof(GroupResponse)] = new GroupResponse(GroupId, SchoolId, "G5B", "Groep 5b", "2026-2027"),
        [typeof(PupilRequest)] = new PupilRequest("LL1001", "Sanne de Vries", new DateOnly(2018, 3, 14), GroupId, PupilStatus.Active, null),
        [typeof(PupilResponse)] = Pupil,
        [typeof(PupilDetailResponse)] = new PupilDetailResponse(Pupil.Id, Pupil.SchoolId, Pupil.ExternalId, Pupil.DisplayName,
            Pupil.DateOfBirth, Pupil.GroupId, Pupil.Status, Pupil.LeftOn,
            [
                new PupilGuardianResponse(MotherId, "OV2001", "Marieke de Vries", true),
                new PupilGuardianResponse(FatherId, "OV2002", "Joost de Vries", true),
            ]),
        [typeof(PupilGuardianResponse)] = new PupilGuardianResponse(MotherId, "OV2001", "Marieke de Vries", true),
        [typeof(GuardianLinkRequest)] = new GuardianLinkRequest(true),
        [typeof(GuardianRequest)] = new GuardianRequest("OV2001", "Marieke de Vries"),
        [typeof(GuardianResponse)] = new GuardianResponse(MotherId, "OV2001", "Marieke de Vries"),
        [typeof(GuardianDetailResponse)] = new GuardianDetailResponse(MotherId, "OV2001", "Marieke de Vries",
            [new GuardianPupilResponse(PupilId, SchoolId, "Sanne de Vries", true)]),
        [typeof(RosterRequest)] = new RosterRequest(
            [new GroupRequest("G5B", "Groep 5b", "2026-2027"), new GroupRequest("G8A", "Groep 8a", "2026-2027")],
            [
                new RosterPupil("LL1001", "Sanne de Vries", new DateOnly(2018, 3, 14), "G5B",
                    [new RosterGuardianLink("OV2001", true), new RosterGuardianLink("OV2002", true)]),
                new RosterPupil("LL1002", "Daan Jansen", new DateOnly(2015, 2, 11), "G8A",
                    [new RosterGuardianLink("OV2003", true)]),
            ],
            [
                new GuardianRequest("OV2001", "Marieke de Vries"),
                new GuardianRequest("OV2002", "Joost de Vries"),
                new GuardianRequest("OV2003", "Fatima Jansen"),
            ]),
        [typeof(RosterSyncResponse)] = new RosterSyncResponse(new RosterCounts(0, 1, 11), new PupilRosterCounts(3, 12, 2, 289),
            new RosterCounts(5, 2, 410), new LinkRosterCounts(6, 1, 3)),
        [typeof(CreateApiClientCommand)] = new CreateApiClientCommand("ParnasSys koppeling", [Scopes.RosterRead, Scopes.RosterWrite], [SchoolId]),
        [typeof(ApiClientResponse)] = Client,
        [typeof(CreatedApiClientResponse)] = new CreatedApiClientResponse(Client, ApiKey),
        [typeof(AuditEventResponse)] = new AuditEventResponse(Guid.Parse("01930f4e-818e-73a6-81c8-d08492a3c4d5"), ClientId,
            "SyncRoster", "school", SchoolId, "4bf92f3577b34da6a3ce929d0e0e4736", Created.AddMinutes(5)),
        [typeof(HealthResponse)] = new HealthResponse("Healthy", new Dictionary<string, HealthCheckResponse>
        {
            ["database"] = new("Healthy", "Database reachable; migrations applied."),
        }),
        [typeof(ProblemDetails)] = new ProblemDetails
        {
            Type = Errors.ProblemTypes.NotFound, Title = "Not found.", Status = 404,
            Detail = $"Pupil '{PupilId}' was not found.", Instance = $"/v1/pupils/{PupilId}",
            Extensions = { ["traceId"] = "4bf92f3577b34da6a3ce929d0e0e4736" },
        },
        [typeof(HttpValidationProblemDetails)] = new HttpValidationProblemDetails(new Dictionary<string, string[]>
        {
            ["pupils[3].dateOfBirth"] = ["The date of birth lies in the future."],
        })
        {
            Type = Errors.ProblemTypes.Validation, Title = "The request is invalid.", Status = 400,
            Detail = "One or more fields are invalid.", Instance = $"/v1/schools/{SchoolId}/roster",
            Extensions = { ["traceId"] = "4bf92f3577b34da6a3ce929d0e0e4736" },
        },
    };

    private static readonly JsonSerializerOptions Json = CreateJsonOptions();

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        ConsentApiServices.Configure(options);
        return options;
    }

    public static System.Text.Json.Nodes.JsonNode? For(Type type) =>
        ByType.TryGetValue(type, out var example) ? JsonSerializer.SerializeToNode(example, type, Json) : null;

    public static IEnumerable<Type> Types => ByType.Keys;
}

internal sealed class ExamplesSchemaFilter : ISchemaFilter
{
    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is OpenApiSchema concrete && Examples.For(context.Type) is { } example)
        {
            concrete.Examples = [example];
        }
    }
}
