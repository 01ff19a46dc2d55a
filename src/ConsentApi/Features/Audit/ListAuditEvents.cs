using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.Persistence;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Riok.Mapperly.Abstractions;

namespace ConsentApi.Features.Audit;

/// <summary>One command carried out against the organisation's data.</summary>
/// <param name="ClientId">The API client that sent it.</param>
/// <param name="Action">The operation, e.g. "SyncRoster" or "CreatePupil".</param>
/// <param name="ResourceType">The kind of resource acted on, e.g. "school" or "pupil".</param>
/// <param name="RequestId">The caller's X-Request-Id, or the request's trace id.</param>
public sealed record AuditEventResponse(
    Guid Id,
    Guid? ClientId,
    [property: MaxLength(FieldLengths.Action)] string Action,
    [property: MaxLength(FieldLengths.ResourceType)] string? ResourceType,
    Guid? ResourceId,
    [property: MaxLength(FieldLengths.RequestId)] string RequestId,
    DateTimeOffset OccurredAt);

/// <param name="ClientId">Only events of this API client.</param>
/// <param name="Action">Only events of this operation, e.g. "SyncRoster".</param>
/// <param name="ResourceId">Only events on this resource.</param>
/// <param name="From">Only events at or after this moment.</param>
/// <param name="To">Only events before this moment.</param>
/// <param name="Limit">How many items to return, 1 to 200 (default 50).</param>
/// <param name="Cursor">The <c>nextCursor</c> of the previous page.</param>
public sealed record ListAuditEventsQuery(
    Guid? ClientId,
    [property: StringLength(FieldLengths.Action)] string? Action,
    Guid? ResourceId,
    DateTimeOffset? From,
    DateTimeOffset? To,
    [property: Range(1, Paging.MaxLimit), DefaultValue(Paging.DefaultLimit)] int? Limit,
    [property: StringLength(FieldLengths.Cursor)] string? Cursor) : IQuery<Page<AuditEventResponse>>, IPageRequest;

public sealed class ListAuditEventsHandler(ConsentDbContext db, CurrentClient client)
    : IQueryHandler<ListAuditEventsQuery, Page<AuditEventResponse>>
{
    public async ValueTask<Page<AuditEventResponse>> Handle(ListAuditEventsQuery query, CancellationToken ct)
    {
        if (client.IsLimitedToSchools)
        {
            throw new ForbiddenException("The audit trail spans the whole organisation; a client limited to some schools cannot read it.");
        }
        if (query.From > query.To)
        {
            throw new RequestValidationException("from", "'from' lies after 'to'.");
        }

        var after = Paging.After(query.Cursor);
        var organisationId = client.OrganisationId;
        var from = Moments.Normalise(query.From);
        var to = Moments.Normalise(query.To);
        var afterSequence = after is null ? 0
            : await db.AuditEvents.Where(e => e.Id == after && e.OrganisationId == organisationId).Select(e => (long?)e.Sequence).SingleOrDefaultAsync(ct)
              ?? throw new RequestValidationException("cursor", "The cursor is not one this API returned.");
        return await db.AuditEvents.AsNoTracking()
            .Where(e => e.OrganisationId == organisationId
                        && (query.ClientId == null || e.ClientId == query.ClientId)
                        && (query.Action == null || e.Action == query.Action)
                        && (query.ResourceId == null || e.ResourceId == query.ResourceId)
                        && (from == null || e.OccurredAt >= from)
                        && (to == null || e.OccurredAt < to)
                        && e.Sequence > afterSequence)
            .OrderBy(e => e.Sequence)
            .ProjectToResponse()
            .ToPageAsync(query.Limit, e => e.Id, ct);
    }
}

[Mapper]
public static partial class AuditEventMapper
{
    [MapperIgnoreSource(nameof(AuditEvent.OrganisationId))]
    [MapperIgnoreSource(nameof(AuditEvent.Sequence))]
    public static partial AuditEventResponse ToResponse(this AuditEvent auditEvent);

    public static partial IQueryable<AuditEventResponse> ProjectToResponse(this IQueryable<AuditEvent> events);
}

public static class ListAuditEventsEndpoint
{
    public static RouteHandlerBuilder MapListAuditEvents(this RouteGroupBuilder group) =>
        group.MapGet("/", Handle)
            .WithName("ListAuditEvents")
            .WithSummary("List the audit trail")
            .WithDescription("""
                Every command carried out against the organisation's data, in the order recorded (oldest first): which
                client, which operation, on which resource, when, and the request id. Written in the same transaction as
                the change itself.
                """)
            .ProducesValidationProblem();

    private static async Task<Ok<Page<AuditEventResponse>>> Handle(
        [AsParameters] ListAuditEventsQuery query, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(query, ct));
}
