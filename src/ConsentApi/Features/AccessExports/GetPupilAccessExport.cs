using System.ComponentModel.DataAnnotations;
using ConsentApi.Infrastructure.Contract;
using Mediator;

namespace ConsentApi.Features.AccessExports;

/// <param name="PupilId">The pupil.</param>
/// <param name="Language">The language of the printed export (`text/html`, `application/pdf`): `nl` (default) or `en`. JSON
/// is the same in both.</param>
public sealed record GetPupilAccessExportQuery(
    Guid PupilId,
    [property: StringLength(2), OneOf(typeof(FormLanguage))] string? Language) : IQuery<AccessExport>;

public sealed class GetPupilAccessExportHandler(AccessExportReader reader) : IQueryHandler<GetPupilAccessExportQuery, AccessExport>
{
    public async ValueTask<AccessExport> Handle(GetPupilAccessExportQuery query, CancellationToken ct) =>
        await reader.ReadAsync(query.PupilId, ct);
}

public static class GetPupilAccessExportEndpoint
{
    public static RouteHandlerBuilder MapGetPupilAccessExport(this RouteGroupBuilder group) =>
        group.MapGet("/{pupilId:guid}/access-export", Handle)
            .WithName("GetPupilAccessExport")
            .WithSummary("Everything held about a pupil: the access export (GDPR art. 15)")
            .WithDescription("""
                The school's answer to a request for access: the pupil's roster data and its history (enrolments, group
                changes, corrected dates of birth), the guardians linked and the history of their links, every decision
                recorded for the pupil with the exact form text answered (in the language it was answered in) and the form
                version's content hash, the receipts and the proof files kept with them, the consent per item now, the
                publications showing the pupil with the pupil's part of the check each relied on, the takedowns, the
                consent requests, the 16th-birthday notices, and the audit trail of commands on the pupil, their proof
                files and the publications and takedowns about them. Another pupil's data is never in it.
                """)
            .ProducesAccessExport();

    private static Task<IResult> Handle([AsParameters] GetPupilAccessExportQuery query, HttpContext context, ISender sender, CancellationToken ct) =>
        AccessExportAnswer.AnswerAsync(context, query.Language, () => sender.Send(query, ct));
}
