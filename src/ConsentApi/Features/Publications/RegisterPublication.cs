using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Domain.Publishing;
using ConsentApi.Features.Consents;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.Idempotency;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Publications;

/// <summary>An item the school published, to register.</summary>
/// <param name="Title">What it is, e.g. "Foto's projectweek groep 5b".</param>
/// <param name="Url">Where it is online, if it has an address.</param>
/// <param name="Location">Where it is otherwise, e.g. "Schoolgids 2026-2027, p. 12"; give this or `url`.</param>
/// <param name="PublishedAt">When it went online; the check runs at this moment. Defaults to now.</param>
/// <param name="PupilIds">The pupils shown in it.</param>
/// <param name="PublishedWithoutCheck">Register it although consent does not allow it (for the record): a takedown opens at once.</param>
/// <param name="UnrecognisablePupilIds">Those of `pupilIds` shown unrecognisable (blurred, from behind): they need no consent
/// and their withdrawals open no takedown. Every other pupil shown is recognisable.</param>
/// <param name="DeclaredBy">Who declared those pupils unrecognisable, e.g. "M. Jansen, communicatie"; kept with the proof
/// beside the calling client.</param>
public sealed record RegisterPublicationRequest(
    [property: Required] Guid? SchoolId,
    [property: Required, StringLength(FieldLengths.ChannelKey, MinimumLength = 2)] string Channel,
    [property: Required] MediaType? MediaType,
    [property: Required, StringLength(FieldLengths.Name, MinimumLength = 2)] string Title,
    [property: Url, StringLength(FieldLengths.Url)] string? Url,
    [property: StringLength(FieldLengths.Location, MinimumLength = 2)] string? Location,
    DateTimeOffset? PublishedAt,
    [property: Required, MinLength(1), MaxLength(CheckPublicationRequest.MaxPupils)] IReadOnlyList<Guid> PupilIds,
    bool? PublishedWithoutCheck,
    [property: MaxLength(CheckPublicationRequest.MaxPupils)] IReadOnlyList<Guid>? UnrecognisablePupilIds = null,
    [property: StringLength(FieldLengths.Name, MinimumLength = 2)] string? DeclaredBy = null);

/// <summary>The 409 of a registration that consent does not allow: nothing was registered.</summary>
/// <param name="Pupils">Every pupil consent did not allow at `publishedAt`, with the state and the reason.</param>
public sealed record PublicationNotAllowedProblem(
    Uri Type, string Title, int Status, string? Detail, string Instance, string TraceId,
    [property: MaxLength(CheckPublicationRequest.MaxPupils)] IReadOnlyList<PupilCheckResult> Pupils)
    : Problem(Type, Title, Status, Detail, Instance, TraceId);

public sealed record RegisterPublicationCommand(RegisterPublicationRequest Request) : ICommand<PublicationResponse>;

/// <summary>
/// Registers a published item after checking consent at the moment it went online; refuses (409, with each pupil's
/// state) when not every pupil shown was allowed, unless it is registered explicitly as published without check.
/// </summary>
public sealed class RegisterPublicationHandler(
    ConsentDbContext db, CurrentClient client, ConsentEvaluator evaluator, ConsentChanges changes, EventOutbox events,
    AuditScope audit, TimeProvider clock)
    : ICommandHandler<RegisterPublicationCommand, PublicationResponse>
{
    public async ValueTask<PublicationResponse> Handle(RegisterPublicationCommand command, CancellationToken ct)
    {
        var request = command.Request;
        var schoolId = request.SchoolId!.Value;
        var publishedAt = Moments.Normalise(ConsentFactQueries.MomentOf(request.PublishedAt, clock, "publishedAt"));
        if (request.Url is null && request.Location is null)
        {
            throw new RequestValidationException("url", "Say where the item is published: a url or a location.");
        }
        var pupilIds = request.PupilIds.Distinct().ToList();
        var unrecognisable = (request.UnrecognisablePupilIds ?? []).ToHashSet();
        if (!unrecognisable.IsSubsetOf(pupilIds))
        {
            throw new RequestValidationException("unrecognisablePupilIds", "Every pupil shown unrecognisable must be one of `pupilIds`.");
        }
        if (request.DeclaredBy is not null && unrecognisable.Count == 0)
        {
            throw new RequestValidationException("declaredBy", "`declaredBy` names who declared pupils unrecognisable; no pupil is.");
        }
        await db.EnsureSchoolVisibleAsync(schoolId, client, ct);
        if (!await db.Channels.AnyAsync(c => c.OrganisationId == client.OrganisationId && c.Key == request.Channel, ct))
        {
            throw new RequestValidationException("channel", $"The organisation has no channel '{request.Channel}'.");
        }

        var known = await db.Pupils.VisibleTo(client).Where(p => pupilIds.Contains(p.Id) && p.SchoolId == schoolId)
            .Select(p => p.Id).ToListAsync(ct);
        var unknown = pupilIds.Except(known).ToList();
        if (unknown.Count > 0)
        {
            throw new NotFoundException("Pupil", string.Join(", ", unknown)) { ProblemExtensions = { ["unknownPupilIds"] = unknown } };
        }

        // Locked before consent is read: a withdrawal for one of these pupils either came first (and is seen here) or waits
        // and then finds this publication online, so its takedown opens either way.
        await changes.LockForPublicationAsync(client.OrganisationId, pupilIds, ct);
        var mediaType = request.MediaType!.Value;
        var now = Moments.Normalise(clock.GetUtcNow());
        var consent = await evaluator.EvaluateAsync(client.OrganisationId,
            pupilIds.Select(id => (id, mediaType, request.Channel)).ToList(), publishedAt, now, ct);
        var results = pupilIds.Select(id => consent.TryGetValue((id, mediaType, request.Channel), out var c)
                ? new PupilCheckResult(id, c.State, c.Reason, c.Allowed)
                : throw new NotFoundException("Pupil", id))
            .ToList();
        // A pupil shown unrecognisable needs no consent.
        var denied = results.Where(r => !r.Allowed && !unrecognisable.Contains(r.PupilId)).ToList();
        if (denied.Count > 0 && request.PublishedWithoutCheck != true)
        {
            throw new ConflictException("Consent does not allow every pupil shown at the moment of publication; nothing was registered.")
            {
                ProblemExtensions = { ["pupils"] = denied },
            };
        }

        var publicationId = Guid.CreateVersion7();
        var publication = new Publication
        {
            Id = publicationId,
            OrganisationId = client.OrganisationId,
            SchoolId = schoolId,
            ChannelKey = request.Channel,
            MediaType = mediaType,
            Title = request.Title.Trim(),
            Url = request.Url,
            Location = request.Location,
            PublishedAt = publishedAt,
            RegisteredAt = now,
            RegisteredByClientId = client.ClientId,
            PublishedWithoutCheck = request.PublishedWithoutCheck == true,
            Pupils = pupilIds.Select(id => new PublicationPupil { PupilId = id, Recognisable = !unrecognisable.Contains(id) }).ToList(),
            // The proof: what this registration relied on, kept as answered (rule 9; GDPR art. 7(1), 5(2)).
            Check = new PublicationCheck
            {
                OrganisationId = client.OrganisationId,
                PublicationId = publicationId,
                MediaType = mediaType,
                ChannelKey = request.Channel,
                At = publishedAt,
                AsKnownAt = now,
                Allowed = denied.Count == 0,
                PublishedWithoutCheck = request.PublishedWithoutCheck == true,
                UnrecognisableDeclaredByClientId = unrecognisable.Count > 0 ? client.ClientId : null,
                UnrecognisableDeclaredBy = unrecognisable.Count > 0 ? request.DeclaredBy?.Trim() : null,
                Pupils = results.Select(r => new PublicationCheckPupil
                {
                    PupilId = r.PupilId, State = r.State, Reason = r.Reason, Allowed = r.Allowed,
                    Recognisable = !unrecognisable.Contains(r.PupilId),
                }).ToList(),
            },
        };
        db.Publications.Add(publication);
        await events.AddAsync(EventTypes.PublicationRegistered, client.OrganisationId, schoolId, new PublicationRegisteredEvent(
            publication.Id, publication.ChannelKey, mediaType, publication.PublishedWithoutCheck, pupilIds), ct);
        await db.SaveChangesAsync(ct);
        audit.On("publication", publication.Id);
        return publication.ToResponse(withCheck: true);
    }
}

public static class RegisterPublicationEndpoint
{
    public static RouteHandlerBuilder MapRegisterPublication(this RouteGroupBuilder group) =>
        group.MapPost("/", Handle)
            .WithName("RegisterPublication")
            .AcceptsIdempotencyKey()
            .WithSummary("Register a published item and the pupils shown in it")
            .WithDescription("""
                Registers what the school published (channel, media type, title, url or location, when) and which
                pupils are shown in it, so that it can be taken down when consent ends. Pupils listed in
                `unrecognisablePupilIds` are shown unrecognisable (blurred, from behind) and need no consent; the calling
                client and `declaredBy` are kept with the proof as who declared it. Consent is checked at
                `publishedAt`: when it did not allow every recognisable pupil, nothing is registered and the answer is 409 listing
                each refused pupil's state, unless `publishedWithoutCheck` is true: then it is kept for the record and
                a takedown opens at once. The check it relied on is stored with it and can never be changed: consent at
                `publishedAt` as the record stood at registration, per pupil, with its own `checkId`; the answer carries it
                as `asKnownThen`, and GET /v1/publications/{publicationId} shows it beside the same check as known now.
                """)
            .ProducesValidationProblem()
            .ProducesProblem<UnknownPupilsProblem>(StatusCodes.Status404NotFound)
            .ProducesProblem<PublicationNotAllowedProblem>(StatusCodes.Status409Conflict);

    private static async Task<Created<PublicationResponse>> Handle(RegisterPublicationRequest request, ISender sender, CancellationToken ct)
    {
        var created = await sender.Send(new RegisterPublicationCommand(request), ct);
        return TypedResults.Created($"/v1/publications/{created.Id}", created);
    }
}
