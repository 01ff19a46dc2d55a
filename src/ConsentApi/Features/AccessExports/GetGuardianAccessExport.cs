using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Features.GuardianAccess;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Contract;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.AccessExports;

/// <param name="GuardianExternalId">The guardian, by the admin system's id.</param>
/// <param name="PupilId">One of the guardian's children.</param>
/// <param name="Language">The language of the printed export (`text/html`, `application/pdf`): `nl` (default) or `en`.</param>
public sealed record GetGuardianAccessExportQuery(
    [property: StringLength(FieldLengths.ExternalId, MinimumLength = 1)] string GuardianExternalId,
    Guid PupilId,
    [property: StringLength(2), OneOf(typeof(FormLanguage))] string? Language) : IQuery<AccessExport>;

/// <summary>
/// A guardian's access export for one child: only a guardian with parental authority asks for it, and only until the
/// child's 16th birthday, from when the pupil exercises their own rights.
/// </summary>
public sealed class GetGuardianAccessExportHandler(ConsentDbContext db, CurrentClient client, AccessExportReader reader, TimeProvider clock)
    : IQueryHandler<GetGuardianAccessExportQuery, AccessExport>
{
    public async ValueTask<AccessExport> Handle(GetGuardianAccessExportQuery query, CancellationToken ct)
    {
        // Children who left are included: the right of access outlasts the school years.
        var (guardian, children) = await GuardianScope.ResolveAsync(db, client, query.GuardianExternalId, includeLeft: true, ct);
        if (!GuardianScope.EnsureChild(children, query.PupilId))
        {
            throw new ForbiddenException("This guardian has no parental authority over the child: the school answers a request for access from them.");
        }
        var dateOfBirth = await db.Pupils.Where(p => p.Id == query.PupilId).Select(p => p.DateOfBirth).SingleAsync(ct);
        if ((await db.CalendarAsync(client.OrganisationId, ct)).IsSixteen(dateOfBirth, clock.GetUtcNow()))
        {
            throw new ForbiddenException("The child is 16 or older and exercises their own rights: the pupil asks for their own access export.");
        }
        return AccessExportViews.ForGuardian(await reader.ReadAsync(query.PupilId, ct), guardian.Id);
    }
}

public static class GetGuardianAccessExportEndpoint
{
    public static RouteHandlerBuilder MapGetGuardianAccessExport(this RouteGroupBuilder group) =>
        group.MapGet("/children/{pupilId:guid}/access-export", Handle)
            .WithName("GetGuardianAccessExport")
            .WithSummary("What the school holds about the guardian's child, as that guardian may see it")
            .WithDescription("""
                The access export (GDPR art. 15) for a parents' app acting for one guardian with parental authority: the
                child's roster data and its history, the guardian's own link and its history (other guardians only as
                another guardian with or without parental authority, never by name or id), the guardian's own decisions
                with the exact form text answered and its content hash, their own receipts and proof files, the consent
                per item now (as decisions only their own), the publications showing the child with the child's part of
                the check each relied on, the takedowns and consent requests for the child, and the audit trail about the
                child without client ids. Never another guardian's decisions, notes or proof references. A guardian without
                parental authority: 403. From the child's 16th birthday (a local day of the organisation) the pupil
                exercises their own rights: 403. A child that is not theirs: 404.
                """)
            .ProducesAccessExport();

    private static Task<IResult> Handle([AsParameters] GetGuardianAccessExportQuery query, HttpContext context, ISender sender, CancellationToken ct) =>
        AccessExportAnswer.AnswerAsync(context, query.Language, () => sender.Send(query, ct));
}
