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
            AddSchool(db, organisation.Id, now);
        }

        await db.ApiClients
            .Where(c => c.OrganisationId == organisation.Id && c.Name == ClientName && c.RevokedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.RevokedAt, now));
        var (client, key) = ApiClientFactory.Create(organisation.Id, ClientName, Scopes.Assignable, [], now);
        db.ApiClients.Add(client);
        await db.SaveChangesAsync();

        var school = await db.Schools.Where(s => s.OrganisationId == organisation.Id).OrderBy(s => s.Id).FirstAsync();
        Console.WriteLine($"""

            Demo organisation: {organisation.Name} ({organisation.Id})
            Demo school:       {school.Name} ({school.Id})
            Demo API key (every scope; shown once):
              {key}

            Try: curl -H "X-Api-Key: {key}" http://localhost:{(Environment.GetEnvironmentVariable("PORT") ?? "5080")}/v1/schools/{school.Id}/pupils

            """);
    }

    private static void AddSchool(ConsentDbContext db, Guid organisationId, DateTimeOffset now)
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
            db.Pupils.Add(pupil);
        }
    }
}
