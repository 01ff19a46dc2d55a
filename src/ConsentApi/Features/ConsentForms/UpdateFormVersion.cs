using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using ConsentApi.Infrastructure.Preconditions;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConsentApi.Features.ConsentForms;

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

public static class UpdateFormVersionEndpoint
{
    public static RouteHandlerBuilder MapUpdateFormVersion(this RouteGroupBuilder group) =>
        group.MapPut("/{formId:guid}/versions/{number:int}", UpdateVersion)
            .WithName("UpdateFormVersion")
            .WithETag<Domain.Consent.ConsentFormVersion>(ConsentFormAccess.VersionRowOf)
            .WithSummary("Edit a draft version")
            .WithDescription("Replaces a draft's content. A published or withdrawn version never changes: 409.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<Ok<FormVersionResponse>> UpdateVersion(
        Guid formId, int number, FormVersionRequest version, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new UpdateFormVersionCommand(formId, number, version), ct));
}
