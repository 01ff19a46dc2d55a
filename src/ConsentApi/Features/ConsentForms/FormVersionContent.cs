using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.ConsentForms;

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
