using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.ConsentForms;

public sealed record CreateConsentFormCommand(CreateConsentFormRequest Form) : ICommand<ConsentFormResponse>;

public sealed class CreateConsentFormHandler(ConsentDbContext db, CurrentClient client, AuditScope audit, TimeProvider clock)
    : ICommandHandler<CreateConsentFormCommand, ConsentFormResponse>
{
    public async ValueTask<ConsentFormResponse> Handle(CreateConsentFormCommand command, CancellationToken ct)
    {
        if (command.Form.SchoolId is { } schoolId)
        {
            await db.EnsureSchoolVisibleAsync(schoolId, client, ct);
        }
        var form = new ConsentForm
        {
            OrganisationId = client.OrganisationId,
            SchoolId = command.Form.SchoolId,
            Name = command.Form.Name.Trim(),
            CreatedAt = clock.GetUtcNow(),
        };
        form.EnsureMayChange(client);
        db.ConsentForms.Add(form);
        audit.On("consent-form", form.Id);
        return form.ToResponse();
    }
}

public sealed record CreateFormVersionCommand(Guid FormId, FormVersionRequest Version) : ICommand<FormVersionResponse>;

public sealed class CreateFormVersionHandler(ConsentDbContext db, CurrentClient client, AuditScope audit, TimeProvider clock)
    : ICommandHandler<CreateFormVersionCommand, FormVersionResponse>
{
    public async ValueTask<FormVersionResponse> Handle(CreateFormVersionCommand command, CancellationToken ct)
    {
        var form = await db.FindFormAsync(client, command.FormId, ct);
        form.EnsureMayChange(client);
        await FormVersionContent.ValidateAsync(db, client, command.Version, ct);

        var version = new ConsentFormVersion
        {
            FormId = form.Id,
            Number = form.Versions.Count == 0 ? 1 : form.Versions.Max(v => v.Number) + 1,
            TextNl = command.Version.TextNl,
            CreatedAt = clock.GetUtcNow(),
        };
        FormVersionContent.Apply(version, client.OrganisationId, command.Version);
        db.ConsentFormVersions.Add(version);
        audit.On("consent-form", form.Id);
        return version.ToResponse();
    }
}

public sealed record UpdateFormVersionCommand(Guid FormId, int Number, FormVersionRequest Version) : ICommand<FormVersionResponse>;

public sealed class UpdateFormVersionHandler(ConsentDbContext db, CurrentClient client, AuditScope audit)
    : ICommandHandler<UpdateFormVersionCommand, FormVersionResponse>
{
    public async ValueTask<FormVersionResponse> Handle(UpdateFormVersionCommand command, CancellationToken ct)
    {
        var form = await db.FindFormAsync(client, command.FormId, ct);
        form.EnsureMayChange(client);
        var version = form.Versions.SingleOrDefault(v => v.Number == command.Number)
                      ?? throw new NotFoundException("Form version", command.Number);
        if (!version.IsDraft)
        {
            throw new ConflictException($"Version {version.Number} is {(version.IsPublished ? "published" : "withdrawn")} and can no longer change; create a new version.");
        }
        await FormVersionContent.ValidateAsync(db, client, command.Version, ct);

        FormVersionContent.Apply(version, client.OrganisationId, command.Version);
        audit.On("consent-form", form.Id);
        return version.ToResponse();
    }
}

public sealed record PublishFormVersionCommand(Guid FormId, int Number) : ICommand<FormVersionResponse>;

public sealed class PublishFormVersionHandler(ConsentDbContext db, CurrentClient client, AuditScope audit, TimeProvider clock)
    : ICommandHandler<PublishFormVersionCommand, FormVersionResponse>
{
    public async ValueTask<FormVersionResponse> Handle(PublishFormVersionCommand command, CancellationToken ct)
    {
        var form = await db.FindFormAsync(client, command.FormId, ct);
        form.EnsureMayChange(client);
        var version = form.Versions.SingleOrDefault(v => v.Number == command.Number)
                      ?? throw new NotFoundException("Form version", command.Number);
        if (!version.IsDraft)
        {
            throw new ConflictException(version.IsPublished
                ? $"Version {version.Number} is already published."
                : $"Version {version.Number} was withdrawn and cannot be published again; create a new version.");
        }

        var now = clock.GetUtcNow();
        foreach (var earlier in form.Versions.Where(v => v.IsPublished && v.SupersededAt is null))
        {
            earlier.SupersededAt = now;
        }
        version.Publish(now);
        audit.On("consent-form", form.Id);
        return version.ToResponse();
    }
}

internal static class FormVersionContent
{
    public static async Task ValidateAsync(ConsentDbContext db, CurrentClient client, FormVersionRequest request, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Validity == ConsentValidity.SchoolYear && (request.SchoolYear is null || !SchoolYears.IsValid(request.SchoolYear)))
        {
            errors["schoolYear"] = ["School-year consent names its school year, two consecutive years such as \"2026-2027\"."];
        }
        if (request.Validity == ConsentValidity.UntilWithdrawn && request.SchoolYear is not null)
        {
            errors["schoolYear"] = ["Only school-year consent names a school year."];
        }

        var keys = request.Items.Select(i => i.Channel).Distinct().ToList();
        var usable = await db.Channels
            .Where(c => c.OrganisationId == client.OrganisationId && keys.Contains(c.Key) && c.RetiredAt == null)
            .Select(c => c.Key).ToListAsync(ct);
        var seen = new HashSet<(MediaType?, string)>();
        for (var i = 0; i < request.Items.Count; i++)
        {
            var item = request.Items[i];
            if (!usable.Contains(item.Channel))
            {
                errors[$"items[{i}].channel"] = [$"The organisation has no channel '{item.Channel}' in use."];
            }
            else if (!seen.Add((item.MediaType, item.Channel)))
            {
                errors[$"items[{i}]"] = ["This item occurs twice."];
            }
        }

        if (errors.Count > 0)
        {
            throw new RequestValidationException(errors);
        }
    }

    public static void Apply(ConsentFormVersion version, Guid organisationId, FormVersionRequest request)
    {
        version.TextNl = request.TextNl;
        version.TextEn = request.TextEn;
        version.Validity = request.Validity!.Value;
        version.SchoolYear = request.SchoolYear;

        // Keep the items that stay (their keys cannot be tracked twice), drop the others, add the new ones.
        var wanted = request.Items.Select(i => (MediaType: i.MediaType!.Value, i.Channel)).ToHashSet();
        version.Items.RemoveAll(i => !wanted.Contains((i.MediaType, i.ChannelKey)));
        version.Items.AddRange(wanted
            .Where(w => !version.Items.Any(i => i.MediaType == w.MediaType && i.ChannelKey == w.Channel))
            .Select(w => new ConsentFormItem { VersionId = version.Id, OrganisationId = organisationId, MediaType = w.MediaType, ChannelKey = w.Channel }));
    }
}

public static class WriteConsentFormEndpoints
{
    public static RouteHandlerBuilder MapCreateConsentForm(this RouteGroupBuilder group) =>
        group.MapPost("/", Create)
            .WithName("CreateConsentForm")
            .WithSummary("Create a consent form")
            .WithDescription("A form of the organisation, or of one school. Its content lives in versions.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

    public static RouteHandlerBuilder MapCreateFormVersion(this RouteGroupBuilder group) =>
        group.MapPost("/{formId:guid}/versions", CreateVersion)
            .WithName("CreateFormVersion")
            .WithSummary("Draft a new version of a form")
            .WithDescription("""
                Adds a draft version with the next number: the consent text in Dutch (English optional), the items it
                asks (media type × channel) and how long consent lasts. Drafts can be edited until published.
                """)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

    public static RouteHandlerBuilder MapUpdateFormVersion(this RouteGroupBuilder group) =>
        group.MapPut("/{formId:guid}/versions/{number:int}", UpdateVersion)
            .WithName("UpdateFormVersion")
            .WithSummary("Edit a draft version")
            .WithDescription("Replaces a draft's content. A published or withdrawn version never changes: 409.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    public static RouteHandlerBuilder MapPublishFormVersion(this RouteGroupBuilder group) =>
        group.MapPost("/{formId:guid}/versions/{number:int}/publish", Publish)
            .WithName("PublishFormVersion")
            .WithSummary("Publish a version")
            .WithDescription("""
                Fixes the version's content and content hash; decisions can now be recorded against it. Earlier
                published versions of the form are superseded: grants given to them keep counting until they expire
                or are withdrawn, but new grants under them are refused (refusals are always accepted). A withdrawn
                version cannot be published again (409).
                """)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<Created<ConsentFormResponse>> Create(CreateConsentFormRequest form, ISender sender, CancellationToken ct)
    {
        var created = await sender.Send(new CreateConsentFormCommand(form), ct);
        return TypedResults.Created($"/v1/consent-forms/{created.Id}", created);
    }

    private static async Task<Created<FormVersionResponse>> CreateVersion(
        Guid formId, FormVersionRequest version, ISender sender, CancellationToken ct)
    {
        var created = await sender.Send(new CreateFormVersionCommand(formId, version), ct);
        return TypedResults.Created($"/v1/consent-forms/{formId}/versions/{created.Number}", created);
    }

    private static async Task<Ok<FormVersionResponse>> UpdateVersion(
        Guid formId, int number, FormVersionRequest version, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new UpdateFormVersionCommand(formId, number, version), ct));

    private static async Task<Ok<FormVersionResponse>> Publish(Guid formId, int number, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new PublishFormVersionCommand(formId, number), ct));
}
