using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Tests.Infrastructure;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features.Consents;

/// <summary>
/// Every reader of consent answers from the one facts model with the one rules function (DESIGN.md §4), so for any
/// history they must agree: random families, links and authority changing over time, birthdays near local midnight and
/// on 29 February, policy changes, late-keyed paper forms, leaving and returning, moving groups, the newsletter's
/// audience changing, school-year forms, and random (at, asKnownAt). The check,
/// the matrix, the class sheet and the takedown scan are held to each other and to the rules evaluated over the test's
/// own record of the facts (<see cref="ConsentFactsModel"/>). Set CONSENT_EQUIVALENCE_SEED to replay a failing seed.
/// </summary>
public sealed class ConsentEquivalenceTests : ApiTest
{
    private const int Scenarios = 8;
    private const int QueriesPerScenario = 10;
    private static readonly DateTimeOffset FormsPublished = new(2023, 8, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] AskedItems = ["photo:website", "photo:newsletter"];
    private static readonly string[] Items = [.. AskedItems, "film:website"];
    private static readonly HashSet<string> Asked = [.. AskedItems];
    private static readonly ConsentCalendar Calendar = ConsentCalendar.Default;

    [Test]
    public async Task The_check_the_matrix_the_class_sheet_the_takedown_scan_and_the_rules_agree_on_random_histories()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("CONSENT_EQUIVALENCE_SEED"), out var given) ? given : Random.Shared.Next();
        TestContext.Out.WriteLine($"CONSENT_EQUIVALENCE_SEED={seed}");
        var requests = 0;
        var answers = new Dictionary<string, int>();
        for (var i = 0; i < Scenarios; i++)
        {
            var scenario = new Scenario(this, new Random(seed + i), $"seed {seed}, scenario {i}");
            await scenario.RunAsync();
            requests += scenario.Requests;
            foreach (var (answer, count) in scenario.Answers)
            {
                answers[answer] = answers.GetValueOrDefault(answer) + count;
            }
            TestContext.Out.WriteLine(scenario.Summary);
        }
        TestContext.Out.WriteLine($"{requests} requests in {Scenarios} scenarios; answers compared: "
                                  + string.Join(", ", answers.OrderByDescending(a => a.Value).Select(a => $"{a.Key} {a.Value}")));
    }

    /// <summary>One organisation's random history, driven through the API and kept in the model at the same time.</summary>
    private sealed class Scenario(ConsentEquivalenceTests test, Random random, string name)
    {
        private readonly ConsentFactsModel _model = new();
        private readonly List<PupilRecord> _pupils = [];
        private readonly List<Guid> _guardians = [];
        private readonly List<DateTimeOffset> _marks = [];
        private readonly List<DateTimeOffset> _moments = [];
        private readonly List<(Guid Id, string Channel, Guid[] Pupils, int MarkAfter)> _publications = [];
        private readonly Dictionary<string, int> _outcomes = [];
        private readonly Dictionary<string, int> _answers = [];
        private int _requests;
        private Tenant _tenant = null!;
        private HttpClient _full = null!;
        private HttpClient _admin = null!;
        private Guid _groupA, _groupB, _untilWithdrawn;
        private Guid? _schoolYearForm;
        private bool _newsletterPublic;

        /// <summary>The requests this scenario sent: three to create the tenant, the rest counted as they go.</summary>
        public int Requests => 3 + _requests;

        /// <summary>How often each state and reason was expected, and takedown entries seen: what the comparisons covered.</summary>
        public IReadOnlyDictionary<string, int> Answers => _answers;

        public string Summary => $"{name}: {Requests} requests; operations {string.Join(", ", _outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}"))}";

        private sealed class PupilRecord(Guid id, string externalId, DateOnly dateOfBirth)
        {
            public Guid Id { get; } = id;
            public string ExternalId { get; } = externalId;
            public DateOnly DateOfBirth { get; set; } = dateOfBirth;
            public List<Guid> Family { get; } = [];
        }

        public async Task RunAsync()
        {
            await SetUpAsync();
            var operations = random.Next(12, 25);
            for (var i = 0; i < operations; i++)
            {
                // The model dates the command just after the mark before it: no moment asked about lies between two marks,
                // so any moment between them answers every question as the command's own moment does.
                var (kind, status) = await OperateAsync(_marks[^1].AddTicks(10));
                Assert.That((int)status, Is.LessThan(500), $"{name}: {kind}");
                Assert.That(status, Is.AnyOf(HttpStatusCode.OK, HttpStatusCode.Created, HttpStatusCode.NoContent,
                    HttpStatusCode.Forbidden, HttpStatusCode.Conflict), $"{name}: {kind} is a request the API should understand");
                _outcomes[$"{kind} {(int)status}"] = _outcomes.GetValueOrDefault($"{kind} {(int)status}") + 1;
                _marks.Add(await MarkAsync());
            }

            var now = _marks[^1];
            var pool = _marks.Concat(_moments).Where(m => m <= now).Distinct().ToList();
            for (var i = 0; i < QueriesPerScenario; i++)
            {
                var at = pool[random.Next(pool.Count)];
                var asKnownAt = random.Next(2) == 0 ? now : pool[random.Next(pool.Count)];
                await AssertReadersAgreeAsync(at, asKnownAt);
            }
            await AssertReadersAgreeAsync(now, now);
            await AssertTakedownsFollowTheCheckAsync();
        }

        private async Task SetUpAsync()
        {
            _tenant = await test.CreateTenantAsync(schools: 1);
            _full = ClientWith(_tenant.FullKey);
            _admin = ClientWith(_tenant.AdminKey);
            _groupA = await CreateGroupAsync("A");
            _groupB = await CreateGroupAsync("B");
            _untilWithdrawn = (Guid)(await PublishFormAsync(_admin, AskedItems))["id"]!;
            await BackdateFormAsync(test.Factory, _untilWithdrawn, FormsPublished);
            if (random.Next(2) == 0)
            {
                _schoolYearForm = (Guid)(await PublishFormAsync(_admin, AskedItems, "school-year", "2025-2026"))["id"]!;
                await BackdateFormAsync(test.Factory, _schoolYearForm.Value, FormsPublished);
            }

            var setUp = await MarkAsync();
            if (random.Next(3) == 0)
            {
                await SetPolicyAsync(GrantRequires.AllGuardians, setUp.AddTicks(10));
            }
            var pupils = random.Next(2, 5);
            for (var p = 0; p < pupils; p++)
            {
                var dateOfBirth = DateOfBirth();
                var externalId = $"L{p}";
                var created = await _full.PostAsJsonAsync($"/v1/schools/{_tenant.SchoolId}/pupils", PupilBody(externalId, p, dateOfBirth, null, _groupA));
                Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
                var id = (Guid)(await created.ReadObjectAsync())["id"]!;
                _model.AddPupil(id, dateOfBirth, _groupA);
                var pupil = new PupilRecord(id, externalId, dateOfBirth);
                _pupils.Add(pupil);
                for (var g = random.Next(1, 4); g > 0; g--)
                {
                    // Siblings share parents now and then.
                    var guardian = _guardians.Count > 0 && random.Next(3) == 0
                        ? _guardians[random.Next(_guardians.Count)]
                        : await NewGuardianAsync();
                    if (pupil.Family.Contains(guardian))
                    {
                        continue;
                    }
                    pupil.Family.Add(guardian);
                    var authority = random.Next(4) > 0;
                    await LinkAsync(_full, id, guardian, authority);
                    _model.Link(id, guardian, authority, setUp.AddTicks(10));
                }
            }
            _marks.Add(await MarkAsync());
        }

        private async Task<Guid> NewGuardianAsync()
        {
            var guardian = await CreateGuardianAsync(_full, $"Ouder {_guardians.Count}");
            _guardians.Add(guardian);
            return guardian;
        }

        private async Task<Guid> CreateGroupAsync(string groupName)
        {
            var response = await _full.PostAsJsonAsync($"/v1/schools/{_tenant.SchoolId}/groups",
                new { externalId = $"G{groupName}", name = $"Groep {groupName}", schoolYear = "2026-2027" });
            return (Guid)(await response.ReadObjectAsync())["id"]!;
        }

        /// <summary>
        /// A date of birth whose 16th birthday lies on a local day in the past (29 February 2024, a summer or a winter
        /// day, the days the clocks change) or still ahead; the moments around that day's local midnight join the moments
        /// decisions are given and questions asked at.
        /// </summary>
        private DateOnly DateOfBirth()
        {
            DateOnly[] sixteenth =
            [
                new(2024, 2, 29), new(2025, 3, 30), new(2025, 10, 26),
                new DateOnly(2025, 6, 1).AddDays(random.Next(90)), new DateOnly(2025, 12, 1).AddDays(random.Next(90)),
            ];
            if (random.Next(2) == 0)
            {
                return random.Next(3) == 0 ? new DateOnly(2012, 2, 29) : new DateOnly(2014, 1, 1).AddDays(random.Next(1500));
            }
            var birthday = sixteenth[random.Next(sixteenth.Length)];
            var midnight = Calendar.StartOf(birthday);
            foreach (var offset in new[] { TimeSpan.FromSeconds(-1), TimeSpan.Zero, TimeSpan.FromTicks(10), TimeSpan.FromMinutes(59), TimeSpan.FromHours(-2) })
            {
                _moments.Add(midnight + offset);
            }
            return birthday.Month == 2 && birthday.Day == 29 ? new DateOnly(2008, 2, 29) : birthday.AddYears(-16);
        }

        private async Task<(string Kind, HttpStatusCode Status)> OperateAsync(DateTimeOffset recorded)
        {
            var pupil = _pupils[random.Next(_pupils.Count)];
            switch (random.Next(21))
            {
                case < 9:
                    return ("decide", await DecideAsync(pupil));
                case < 12:
                {
                    var guardian = random.Next(3) == 0 || pupil.Family.Count == 0 ? await NewGuardianAsync() : pupil.Family[random.Next(pupil.Family.Count)];
                    var authority = random.Next(3) > 0;
                    var status = await SendAsync(_full.PutAsJsonAsync($"/v1/pupils/{pupil.Id}/guardians/{guardian}", new { hasParentalAuthority = authority }));
                    if (status == HttpStatusCode.OK)
                    {
                        if (!pupil.Family.Contains(guardian))
                        {
                            pupil.Family.Add(guardian);
                        }
                        _model.Link(pupil.Id, guardian, authority, recorded);
                    }
                    return ("link", status);
                }
                case < 13:
                {
                    var linked = pupil.Family.Where(g => _model.IsLinked(pupil.Id, g)).ToList();
                    if (linked.Count == 0)
                    {
                        goto default;
                    }
                    var guardian = linked[random.Next(linked.Count)];
                    var status = await SendAsync(_full.DeleteAsync($"/v1/pupils/{pupil.Id}/guardians/{guardian}"));
                    if (status is HttpStatusCode.OK or HttpStatusCode.NoContent)
                    {
                        _model.Link(pupil.Id, guardian, null, recorded);
                    }
                    return ("unlink", status);
                }
                case < 14:
                    return ("policy", await SetPolicyAsync(
                        _model.PolicyNow == GrantRequires.AnyGuardian ? GrantRequires.AllGuardians : GrantRequires.AnyGuardian, recorded));
                case < 15:
                {
                    var dateOfBirth = DateOfBirth();
                    var status = await UpdatePupilAsync(pupil, dateOfBirth, _model.EnrolmentNow(pupil.Id));
                    if (status == HttpStatusCode.OK)
                    {
                        pupil.DateOfBirth = dateOfBirth;
                        _model.CorrectBirthDate(pupil.Id, dateOfBirth, recorded);
                    }
                    return ("correct-birth-date", status);
                }
                case < 17:
                {
                    var now = _model.EnrolmentNow(pupil.Id);
                    var next = random.Next(3) == 0
                        ? now with { GroupId = now.GroupId == _groupA ? _groupB : _groupA }
                        : now with { Left = !now.Left };
                    var status = await UpdatePupilAsync(pupil, pupil.DateOfBirth, next);
                    if (status == HttpStatusCode.OK)
                    {
                        _model.Enrol(pupil.Id, next.Left, next.GroupId, recorded);
                    }
                    return (next.Left == now.Left ? "move" : next.Left ? "leave" : "return", status);
                }
                case < 18:
                {
                    _newsletterPublic = !_newsletterPublic;
                    var status = await SendAsync(_admin.PutAsJsonAsync("/v1/channels/newsletter",
                        new { nameNl = "Nieuwsbrief", nameEn = "Newsletter", audience = _newsletterPublic ? "public" : "closed" }));
                    if (status == HttpStatusCode.OK)
                    {
                        _model.ChangeChannelMeaning("newsletter", recorded);
                    }
                    return ("newsletter-audience", status);
                }
                default:
                {
                    // Mostly pupils whose consent allows it now, so that a later change has a takedown to open.
                    var channel = random.Next(2) == 0 ? "website" : "newsletter";
                    var granted = _pupils.Select(p => p.Id).Where(p => _model.Expected(p, $"photo:{channel}", recorded, recorded, Asked).Allowed).ToList();
                    var shown = (granted.Count > 0 && random.Next(4) > 0 ? granted : _pupils.Select(p => p.Id))
                        .Where(_ => random.Next(3) > 0).DefaultIfEmpty(pupil.Id).ToArray();
                    var response = await SendRegisterAsync(_full, _tenant.SchoolId, channel, "photo", shown, publishedWithoutCheck: true);
                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        _publications.Add(((Guid)(await response.ReadObjectAsync())["id"]!, channel, shown, _marks.Count));
                    }
                    return ("publish", response.StatusCode);
                }
            }
        }

        /// <summary>One person's answers on one or both items, given now or at a past moment (a paper form keyed in late).</summary>
        private async Task<HttpStatusCode> DecideAsync(PupilRecord pupil)
        {
            var items = AskedItems.Where(_ => random.Next(2) == 0).DefaultIfEmpty(AskedItems[random.Next(2)])
                .Select(i => $"{i}={(random.Next(5) < 3 ? "granted" : "refused")}").ToArray();
            var schoolYear = _schoolYearForm is not null && random.Next(3) == 0;
            DateTimeOffset? givenAt = random.Next(10) switch
            {
                < 3 => null,
                < 5 => _marks[random.Next(_marks.Count)],
                < 8 when _moments.Count > 0 => _moments[random.Next(_moments.Count)],
                _ => Moments(DateTimeOffset.UtcNow.AddDays(-random.Next(1, 700)).AddSeconds(-random.Next(86_400))),
            };
            // Mostly the person who may decide at that moment; now and then the other, whom the API refuses.
            var pupilDecides = Calendar.IsSixteen(pupil.DateOfBirth, givenAt ?? DateTimeOffset.UtcNow) == (random.Next(6) > 0);
            var linked = pupil.Family.Where(g => _model.IsLinked(pupil.Id, g)).ToList();
            var candidates = linked.Count > 0 && random.Next(5) > 0 ? linked : pupil.Family;
            Guid? person = pupilDecides || candidates.Count == 0 ? null : candidates[random.Next(candidates.Count)];
            var response = await SendDecisionsAsync(_full, pupil.Id, schoolYear ? _schoolYearForm!.Value : _untilWithdrawn, person, items, givenAt);
            if (response.StatusCode != HttpStatusCode.Created)
            {
                return response.StatusCode;
            }
            foreach (var decision in (await response.ReadObjectAsync())["decisions"]!.AsArray())
            {
                var recordedAt = Moment(decision!["recordedAt"]);
                _model.Decide(pupil.Id, person, $"{decision["mediaType"]}:{decision["channel"]}",
                    Enum.Parse<ConsentOutcome>((string)decision["outcome"]!, ignoreCase: true), Moment(decision["givenAt"]), recordedAt,
                    schoolYear ? ConsentValidity.SchoolYear : ConsentValidity.UntilWithdrawn, schoolYear ? "2025-2026" : null);
                _moments.Add(Moment(decision["givenAt"]));
            }
            return response.StatusCode;
        }

        private async Task<HttpStatusCode> SetPolicyAsync(GrantRequires grantRequires, DateTimeOffset recorded)
        {
            var status = await SendAsync(_admin.PutAsJsonAsync($"/v1/organisations/{_tenant.OrganisationId}/consent-policy",
                new { grantRequires = Text(grantRequires), schoolYearEndMonth = 7, schoolYearEndDay = 31, afterLeaving = "ends" }));
            if (status == HttpStatusCode.OK)
            {
                _model.ChangePolicy(grantRequires, recorded);
            }
            return status;
        }

        private Task<HttpStatusCode> UpdatePupilAsync(PupilRecord pupil, DateOnly dateOfBirth, ConsentFactsModel.Enrolment enrolment) =>
            SendAsync(_full.PutAsJsonAsync($"/v1/pupils/{pupil.Id}", PupilBody(pupil.ExternalId, _pupils.IndexOf(pupil), dateOfBirth,
                enrolment.Left ? "left" : "active", enrolment.GroupId)));

        private static object PupilBody(string externalId, int number, DateOnly dateOfBirth, string? status, Guid? groupId) =>
            new { externalId, displayName = $"Leerling {number}", dateOfBirth, status, groupId };

        private static async Task<HttpStatusCode> SendAsync(Task<HttpResponseMessage> request) => (await request).StatusCode;

        private HttpClient ClientWith(string apiKey)
        {
            var client = test.Factory.CreateDefaultClient(new RequestCounter(() => Interlocked.Increment(ref _requests)));
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
            return client;
        }

        /// <summary>For every pupil and item: check == matrix == class sheet == the rules over the model.</summary>
        private async Task AssertReadersAgreeAsync(DateTimeOffset at, DateTimeOffset asKnownAt)
        {
            var when = $"{name}, at {at:O}, as known at {asKnownAt:O}";
            var query = $"at={Iso(at)}&asKnownAt={Iso(asKnownAt)}";
            var sheets = new Dictionary<Guid, JsonArray>();
            foreach (var group in new[] { _groupA, _groupB })
            {
                var sheet = (await GetAsync(_full, $"/v1/schools/{_tenant.SchoolId}/groups/{group}/consent-overview?{query}"))["pupils"]!.AsArray();
                    var expected = _pupils.Select(p => p.Id).Where(p => _model.EnrolmentAt(p, at, asKnownAt) is { Left: false } e && e.GroupId == group);
                Assert.That(sheet.Select(p => (Guid)p!["pupilId"]!), Is.EquivalentTo(expected), $"{when}: the pupils on the sheet of group {group}");
                foreach (var row in sheet)
                {
                    sheets[(Guid)row!["pupilId"]!] = row["cells"]!.AsArray();
                }
            }

            foreach (var item in Items)
            {
                var (mediaType, channel) = (item.Split(':')[0], item.Split(':')[1]);
                var response = await _full.PostAsJsonAsync("/v1/publication-checks",
                    new { pupilIds = _pupils.Select(p => p.Id).ToArray(), mediaType, channel, at, asKnownAt });
                    Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
                var checks = (await response.ReadObjectAsync())["pupils"]!.AsArray().ToDictionary(p => (Guid)p!["pupilId"]!, StateOf);
                foreach (var pupil in _pupils)
                {
                    var expected = _model.Expected(pupil.Id, item, at, asKnownAt, Asked);
                    Count($"{Text(expected.State)} {expected.Reason}");
                    Assert.That(checks[pupil.Id], Is.EqualTo($"{Text(expected.State)} {expected.Reason}"),
                        $"{when}: the check of pupil {pupil.Id} (born {pupil.DateOfBirth:yyyy-MM-dd}) for {item} against the rules over the model");
                    if (sheets.TryGetValue(pupil.Id, out var cells))
                    {
                        Assert.That(StateOf(Cell(cells, mediaType, channel)), Is.EqualTo(checks[pupil.Id]), $"{when}: class sheet and check, pupil {pupil.Id}, {item}");
                    }
                }
            }

            foreach (var pupil in _pupils)
            {
                var matrix = (await GetAsync(_full, $"/v1/pupils/{pupil.Id}/consents?{query}"))["items"]!.AsArray();
                    foreach (var item in Items)
                {
                    var (mediaType, channel) = (item.Split(':')[0], item.Split(':')[1]);
                    var expected = _model.Expected(pupil.Id, item, at, asKnownAt, Asked);
                    Assert.That(StateOf(Cell(matrix, mediaType, channel)), Is.EqualTo($"{Text(expected.State)} {expected.Reason}"),
                        $"{when}: the matrix of pupil {pupil.Id} for {item}");
                }
            }
        }

        /// <summary>
        /// Every pupil shown in an online publication whose consent is not granted now is in an open takedown of it; and
        /// no pupil is in one who was granted at the moment they were added.
        /// </summary>
        private async Task AssertTakedownsFollowTheCheckAsync()
        {
            var takedowns = await ItemsAsync(_full, "/v1/takedowns?status=open&limit=200");
            foreach (var (publication, channel, shown, _) in _publications)
            {
                var response = await _full.PostAsJsonAsync("/v1/publication-checks", new { pupilIds = shown, mediaType = "photo", channel });
                    var denied = (await response.ReadObjectAsync())["pupils"]!.AsArray()
                    .Where(p => (string?)p!["state"] != "granted").Select(p => (Guid)p!["pupilId"]!).ToList();
                var listed = takedowns.Where(t => (Guid)t!["publicationId"]! == publication)
                    .SelectMany(t => t!["pupils"]!.AsArray()).Select(p => (Guid)p!["pupilId"]!).ToList();
                Assert.That(listed, Is.SupersetOf(denied), $"{name}: publication {publication} on {channel}: every pupil not granted now has a takedown");
            }

            foreach (var takedown in takedowns)
            {
                var (publication, channel, _, markAfter) = _publications.Single(p => p.Id == (Guid)takedown!["publicationId"]!);
                foreach (var entry in takedown!["pupils"]!.AsArray())
                {
                    var added = Moment(entry!["addedAt"]);
                    Count(added > _marks[markAfter] ? "taken down after a later change" : "taken down on registration");
                    Assert.That((string?)entry["state"], Is.Not.EqualTo("granted"), $"{name}: takedown of {publication} lists a granted pupil");
                    var response = await _full.PostAsJsonAsync("/v1/publication-checks",
                        new { pupilIds = new[] { (Guid)entry["pupilId"]! }, mediaType = "photo", channel, at = added, asKnownAt = added });
                    Assert.That(StateOf((await response.ReadObjectAsync())["pupils"]![0]), Is.EqualTo($"{entry["state"]} {entry["reason"]}"),
                        $"{name}: takedown of {publication}: pupil {entry["pupilId"]} as the check answered at the moment they were added");
                }
            }
        }

        private void Count(string answer) => _answers[answer] = _answers.GetValueOrDefault(answer) + 1;

        private static JsonNode Cell(JsonArray cells, string mediaType, string channel) =>
            cells.Single(c => (string?)c!["mediaType"] == mediaType && (string?)c["channel"] == channel)!;

        private static string StateOf(JsonNode? node) => $"{node!["state"]} {node["reason"]}";
    }

    private sealed class RequestCounter(Action counted) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            counted();
            return base.SendAsync(request, cancellationToken);
        }
    }

    private static string Text<T>(T value) where T : Enum => JsonSerializer.Serialize(value, Json.Options).Trim('"');

    /// <summary>A moment strictly between two recordings: the database keeps microseconds.</summary>
    private static async Task<DateTimeOffset> MarkAsync()
    {
        await Task.Delay(3);
        var mark = Moments(DateTimeOffset.UtcNow);
        await Task.Delay(3);
        return mark;
    }

    private static DateTimeOffset Moments(DateTimeOffset moment) => new(moment.Ticks - moment.Ticks % 10, TimeSpan.Zero);
}
