using System.ComponentModel.DataAnnotations;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Contract;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.AccessExports;

/// <param name="PupilId">The pupil asking, 16 or older.</param>
/// <param name="Language">The language of the printed export (`text/html`, `application/pdf`): `nl` (default) or `en`.</param>
public sealed record GetOwnAccessExportQuery(
    Guid PupilId,
    [property: StringLength(2), OneOf(typeof(FormLanguage))] string? Language) : IQuery<AccessExport>;

/// <summary>The pupil's own access export: from their 16th birthday they exercise their rights themself.</summary>
public sealed class GetOwnAccessExportHandler(ConsentDbContext db, CurrentClient client, AccessExportReader reader, TimeProvider clock)
    : IQueryHandler<GetOwnAccessExportQuery, AccessExport>
{
    public async ValueTask<AccessExport> Handle(GetOwnAccessExportQuery query, CancellationToken ct)
    {
        var pupil = await db.Pupils.AsNoTracking().VisibleTo(client).Where(p => p.Id == query.PupilId)
                        .Select(p => new { p.OrganisationId, p.DateOfBirth }).SingleOrDefaultAsync(ct)
                    ?? throw new NotFoundException("Pupil", query.PupilId);
        if (!(await db.CalendarAsync(pupil.OrganisationId, ct)).IsSixteen(pupil.DateOfBirth, clock.GetUtcNow()))
        {
            throw new ForbiddenException("The pupil is under 16: until their 16th birthday their guardians with parental authority ask for the access export.");
        }
        return AccessExportViews.ForPupil(await reader.ReadAsync(query.PupilId, ct));
    }
}

public static class GetOwnAccessExportEndpoint
{
    public static RouteHandlerBuilder MapGetOwnAccessExport(this RouteGroupBuilder group) =>
        group.MapGet("/{pupilId:guid}/access-export", Handle)
            .WithName("GetOwnAccessExport")
            .WithSummary("What the school holds about a pupil of 16 or older, for the pupil themself")
            .WithDescription("""
                The access export (GDPR art. 15) for a parents' app acting for a pupil of 16 or older, who exercises their
                own rights from their 16th birthday (a local day of the organisation): their roster data and its history,
                which guardians are linked (by name, with parental authority or not, without the admin system's ids), their
                own decisions with the exact form text answered and its content hash, receipts and proof files, and their
                guardians' decisions as outcome, moment and method without notes or proof references; the consent per item
                now, the publications showing them with their part of the check each relied on, the takedowns, consent
                requests, 16th-birthday notices and the audit trail about them without client ids. Under 16: 403 (the
                guardians ask). A pupil the client may not see: 404.
                """)
            .ProducesAccessExport();

    private static Task<IResult> Handle([AsParameters] GetOwnAccessExportQuery query, HttpContext context, ISender sender, CancellationToken ct) =>
        AccessExportAnswer.AnswerAsync(context, query.Language, () => sender.Send(query, ct));
}
