using System.Net;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Tests.Infrastructure;
using Npgsql;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features.Takedowns;

/// <summary>
/// The statement that opens a publication's takedown and adds the pupils to it cannot see a takedown another transaction
/// opened and committed while it waited on it; the scanner then goes step by step. Two withdrawals for pupils of one
/// publication are lined up so that the second always meets the first's takedown that way: the first is held after it
/// opened the takedown (its decision waits for the deciding guardian's row, which the test holds), the second waits on
/// that takedown, and then the first is let go.
/// </summary>
public sealed class TakedownOpenRaceTests : ApiTest
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Test]
    public async Task A_withdrawal_that_meets_a_takedown_opened_meanwhile_joins_it_and_announces_an_update()
    {
        var tenant = await CreateTenantAsync();
        var full = tenant.Full();
        var version = (Guid)(await PublishFormAsync(tenant.Admin(), ["photo:website"]))["id"]!;
        var families = new List<(Guid Pupil, Guid Guardian)>();
        foreach (var name in new[] { "Noor Bakker", "Daan Visser" })
        {
            var pupil = await CreatePupilAsync(full, tenant.SchoolId, name);
            var guardian = await CreateGuardianAsync(full, $"Ouder van {name}");
            await LinkAsync(full, pupil, guardian);
            await DecideAsync(full, pupil, version, guardian, "granted", ["photo:website"]);
            families.Add((pupil, guardian));
        }
        var publication = (Guid)(await RegisterAsync(full, tenant.SchoolId, "website", "photo", families.Select(f => f.Pupil)))["id"]!;
        var (first, second) = (families[0], families[1]);

        Task<HttpResponseMessage> firstWithdrawal, secondWithdrawal;
        await using (var holder = new NpgsqlConnection(Factory.ConnectionString))
        {
            await holder.OpenAsync();
            await using var transaction = await holder.BeginTransactionAsync();
            // A decision's row checks its guardian (FOR KEY SHARE), which waits for this lock: the first withdrawal stops
            // after its takedown opened and before it commits.
            await using (var hold = new NpgsqlCommand("SELECT 1 FROM guardians WHERE id = @id FOR UPDATE", holder, transaction))
            {
                hold.Parameters.AddWithValue("id", first.Guardian);
                await hold.ExecuteScalarAsync();
            }
            firstWithdrawal = SendDecisionsAsync(full, first.Pupil, version, first.Guardian, ["photo:website=refused"]);
            await WaitForWaitingAsync(1, "the first withdrawal holding the new takedown");
            secondWithdrawal = SendDecisionsAsync(full, second.Pupil, version, second.Guardian, ["photo:website=refused"]);
            await WaitForWaitingAsync(2, "the second withdrawal waiting on that takedown");
            await transaction.RollbackAsync();
        }

        foreach (var response in await Task.WhenAll(firstWithdrawal, secondWithdrawal))
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        }
        var takedowns = (await OpenTakedownsAsync(full)).Where(t => (Guid?)t!["publicationId"] == publication).ToList();
        var events = (await EventsAsync(Factory, tenant.OrganisationId)).Where(e => e.Type.StartsWith("takedown.", StringComparison.Ordinal))
            .Select(e => (e.Type, Data: PayloadOf(e)["data"]!)).ToList();
        Assert.That(takedowns, Has.Count.EqualTo(1), "one open takedown for the publication");
        var takedownId = (Guid)takedowns[0]!["id"]!;
        Assert.Multiple(() =>
        {
            Assert.That(PupilsOf(takedowns[0]!), Is.EquivalentTo(new[]
            {
                Pupil(first.Pupil, "refused", "refused-by-guardian"), Pupil(second.Pupil, "refused", "refused-by-guardian"),
            }), "both pupils joined it");
            Assert.That(events.Select(e => (e.Type, (Guid)e.Data["takedownId"]!, PupilIds(e.Data))), Is.EqualTo(new[]
            {
                (EventTypes.TakedownOpened, takedownId, new[] { first.Pupil }),
                (EventTypes.TakedownUpdated, takedownId, new[] { second.Pupil }),
            }), "opened with the first pupil, updated with the second");
        });
    }

    private static Guid[] PupilIds(System.Text.Json.Nodes.JsonNode data) => [.. data["pupils"]!.AsArray().Select(p => (Guid)p!["pupilId"]!)];

    /// <summary>Waits until <paramref name="count"/> of the API's sessions on this database wait for a lock.</summary>
    private async Task WaitForWaitingAsync(int count, string what)
    {
        await using var connection = new NpgsqlConnection(Factory.ConnectionString);
        await connection.OpenAsync();
        await using var waiting = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'", connection);
        var deadline = DateTimeOffset.UtcNow + Patience;
        while ((long)(await waiting.ExecuteScalarAsync())! < count)
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                Assert.Fail($"Never reached: {what}.");
            }
            await Task.Delay(20);
        }
    }
}
