using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Features.ApiClients;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Infrastructure.Persistence;

/// <summary>
/// A demo organisation to try the API with: one school, two groups, pupils and guardians, and a fresh demo key with
/// every scope each time it runs (earlier demo keys are revoked; keys are only stored hashed, so they cannot be shown again).
/// </summary>
public static class DemoSeed
{
    public const string OrganisationName = "Stichting Openbaar Onderwijs Demo";
    private const string ClientName = "Demo key";

    public static async Task SeedDemoAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsentDbContext>();
        var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow();

        var organisation = await db.Organisations.SingleOrDefaultAsync(o => o.Name == OrganisationName);
        if (organisation is null)
        {
            organisation = new Organisation { Name = OrganisationName, CreatedAt = now };
            db.Organisations.Add(organisation);
            db.Channels.AddRange(Channel.Defaults(organisation.Id));
            var pupils = AddSchool(db, organisation.Id, now);
            AddConsent(db, organisation.Id, pupils, now);
        }

        await db.ApiClients
            .Where(c => c.OrganisationId == organisation.Id && c.Name == ClientName && c.RevokedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.RevokedAt, now));
        var (client, key) = ApiClientFactory.Create(organisation.Id, ClientName, Scopes.Assignable, [], now);
        db.ApiClients.Add(client);
        await db.SaveChangesAsync();

        var school = await db.Schools.Where(s => s.OrganisationId == organisation.Id).OrderBy(s => s.Id).FirstAsync();
        var group = await db.Groups.Where(g => g.SchoolId == school.Id).OrderBy(g => g.ExternalId).FirstAsync();
        Console.WriteLine($"""

            Demo organisation: {organisation.Name} ({organisation.Id})
            Demo school:       {school.Name} ({school.Id})
            Demo API key (every scope; shown once):
              {key}

            Try:
              curl -H "X-Api-Key: {key}" {BaseUrl}/v1/schools/{school.Id}/pupils
              curl -H "X-Api-Key: {key}" -H "Accept: text/html" {BaseUrl}/v1/schools/{school.Id}/groups/{group.Id}/consent-overview > klas.html

            """);
    }

    private static string BaseUrl => $"http://localhost:{Environment.GetEnvironmentVariable("PORT") ?? "5080"}";

    private static List<Pupil> AddSchool(ConsentDbContext db, Guid organisationId, DateTimeOffset now)
    {
        var school = new School { OrganisationId = organisationId, Name = "OBS De Regenboog", BrinCode = "12AB", CreatedAt = now };
        var year = now.Month >= 8 ? now.Year : now.Year - 1;
        var schoolYear = $"{year}-{year + 1}";
        var groups = new[]
        {
            new Group { SchoolId = school.Id, ExternalId = "G5B", Name = "Groep 5b", SchoolYear = schoolYear },
            new Group { SchoolId = school.Id, ExternalId = "G8A", Name = "Groep 8a", SchoolYear = schoolYear },
        };
        db.Schools.Add(school);
        db.Groups.AddRange(groups);

        var pupils = new List<Pupil>();
        (string First, string Family)[] names =
        [
            ("Sanne", "de Vries"), ("Daan", "Jansen"), ("Emma", "Bakker"), ("Noah", "Visser"), ("Julia", "Smit"),
            ("Liam", "Meijer"), ("Tess", "de Boer"), ("Sem", "Mulder"), ("Lotte", "de Groot"), ("Finn", "Bos"),
        ];
        for (var i = 0; i < names.Length; i++)
        {
            var group = groups[i % 2];
            var age = group.ExternalId == "G5B" ? 8 : 11;
            var pupil = new Pupil
            {
                OrganisationId = organisationId,
                SchoolId = school.Id,
                ExternalId = $"LL{1001 + i}",
                DisplayName = $"{names[i].First} {names[i].Family}",
                DateOfBirth = new DateOnly(year - age, 1 + i, 10 + i),
                GroupId = group.Id,
            };
            var mother = new Guardian { OrganisationId = organisationId, ExternalId = $"OV{2001 + 2 * i}", DisplayName = $"Moeder {names[i].Family}" };
            var father = new Guardian { OrganisationId = organisationId, ExternalId = $"OV{2002 + 2 * i}", DisplayName = $"Vader {names[i].Family}" };
            pupil.Guardians.Add(new GuardianLink { PupilId = pupil.Id, GuardianId = mother.Id, HasParentalAuthority = true });
            pupil.Guardians.Add(new GuardianLink { PupilId = pupil.Id, GuardianId = father.Id, HasParentalAuthority = i % 5 != 4 });
            db.Guardians.AddRange(mother, father);
            db.GuardianSchools.AddRange(
                new GuardianSchool { GuardianId = mother.Id, SchoolId = school.Id, DisplayName = mother.DisplayName },
                new GuardianSchool { GuardianId = father.Id, SchoolId = school.Id, DisplayName = father.DisplayName });
            db.Pupils.Add(pupil);
            pupils.Add(pupil);
        }
        return pupils;
    }

    /// <summary>A published form and answers: most families grant, some refuse, one pair of parents disagrees.</summary>
    private static void AddConsent(ConsentDbContext db, Guid organisationId, List<Pupil> pupils, DateTimeOffset now)
    {
        var form = new ConsentForm { OrganisationId = organisationId, Name = "Toestemming beeld- en geluidsmateriaal", CreatedAt = now };
        var version = new ConsentFormVersion
        {
            FormId = form.Id,
            Number = 1,
            TextNl = "Op onze school maken wij regelmatig foto's, films en geluidsopnamen van activiteiten zoals de projectweek " +
                     "en het schoolreisje. Wij vragen u per onderdeel of wij materiaal waarop uw kind herkenbaar is mogen " +
                     "publiceren. U kunt uw toestemming op elk moment intrekken via de ouderapp of bij de administratie.",
            Validity = ConsentValidity.UntilWithdrawn,
            CreatedAt = now,
        };
        (MediaType, string)[] items =
        [
            (MediaType.Photo, "school-guide"), (MediaType.Photo, "website"), (MediaType.Photo, "newsletter"),
            (MediaType.Photo, "social-media"), (MediaType.Photo, "parent-app"), (MediaType.Film, "parent-app"),
            (MediaType.Film, "website"), (MediaType.Audio, "parent-app"),
        ];
        version.Items.AddRange(items.Select(i => new ConsentFormItem
        {
            VersionId = version.Id, OrganisationId = organisationId, MediaType = i.Item1, ChannelKey = i.Item2,
        }));
        version.Publish(now.AddDays(-30));
        form.Versions.Add(version);
        db.ConsentForms.Add(form);

        for (var i = 0; i < pupils.Count; i++)
        {
            var pupil = pupils[i];
            var (mother, father) = (pupil.Guardians[0].GuardianId, pupil.Guardians[1].GuardianId);
            var batch = Guid.CreateVersion7();
            foreach (var (mediaType, channel) in items)
            {
                // Pupils 3 and 7 have no answer yet; pupil 5's parents refuse social media; pupil 8's parents disagree on it.
                if (i is 3 or 7)
                {
                    continue;
                }
                var refuse = channel == "social-media" && i == 5;
                db.Decisions.Add(Demo(organisationId, pupil.Id, batch, version.Id, mediaType, channel, mother,
                    refuse ? ConsentOutcome.Refused : ConsentOutcome.Granted, now.AddDays(-20 + i)));
                if (channel == "social-media" && i == 8)
                {
                    db.Decisions.Add(Demo(organisationId, pupil.Id, Guid.CreateVersion7(), version.Id, mediaType, channel, father,
                        ConsentOutcome.Refused, now.AddDays(-5)));
                }
            }
        }
    }

    private static Decision Demo(Guid organisationId, Guid pupilId, Guid batchId, Guid versionId, MediaType mediaType,
        string channel, Guid guardianId, ConsentOutcome outcome, DateTimeOffset givenAt) => new()
    {
        OrganisationId = organisationId, PupilId = pupilId, BatchId = batchId, FormVersionId = versionId,
        MediaType = mediaType, ChannelKey = channel, Outcome = outcome, GuardianId = guardianId,
        Method = DecisionMethod.ParentApp, GivenAt = givenAt, RecordedAt = givenAt,
    };
}
