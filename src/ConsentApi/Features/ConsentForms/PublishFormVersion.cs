using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using ConsentApi.Infrastructure.Preconditions;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConsentApi.Features.ConsentForms;

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

public static class PublishFormVersionEndpoint
{
    public static RouteHandlerBuilder MapPublishFormVersion(this RouteGroupBuilder group) =>
        group.MapPost("/{formId:guid}/versions/{number:int}/publish", Publish)
            .WithName("PublishFormVersion")
            .WithETag<Domain.Consent.ConsentFormVersion>(ConsentFormAccess.VersionRowOf)
            .WithSummary("Publish a version")
            .WithDescription("""
                Fixes the version's content and content hash; decisions can now be recorded against it. Earlier
                published versions of the form are superseded: grants given to them keep counting until they expire
                or are withdrawn, but new grants under them are refused (refusals are always accepted). A withdrawn
                version cannot be published again (409).
                """)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<Ok<FormVersionResponse>> Publish(Guid formId, int number, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new PublishFormVersionCommand(formId, number), ct));
}
