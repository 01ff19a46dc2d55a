using System.Text.Json;
using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Features.AccessExports;
using ConsentApi.Features.ApiClients;
using ConsentApi.Features.Channels;
using ConsentApi.Features.ConsentForms;
using ConsentApi.Features.Campaigns;
using ConsentApi.Features.Consents;
using ConsentApi.Features.GuardianAccess;
using ConsentApi.Features.Publications;
using ConsentApi.Features.Takedowns;
using ConsentApi.Features.Webhooks;
using ConsentApi.Domain.Publishing;
using ConsentApi.Domain.Webhooks;
using ConsentApi.Features.Audit;
using ConsentApi.Features.Groups;
using ConsentApi.Features.Guardians;
using ConsentApi.Features.Health;
using ConsentApi.Features.Imports;
using ConsentApi.Features.Organisations;
using ConsentApi.Features.Pupils;
using ConsentApi.Features.Roster;
using ConsentApi.Features.Schools;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Infrastructure.Http;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ConsentApi.Infrastructure.OpenApi;

/// <summary>One realistic example per request and response schema: a Dutch school board, school, class and family.</summary>
internal static class Examples
{
    private static readonly Guid OrganisationId = Guid.Parse("01930f4e-7a10-7c3e-9a51-6f1d2b3c4d5e");
    private static readonly Guid SchoolId = Guid.Parse("01930f4e-7b22-7d40-8b62-7a2e3c4d5e6f");
    private static readonly Guid GroupId = Guid.Parse("01930f4e-7c34-7e51-9c73-8b3f4d5e6f70");
    private static readonly Guid PupilId = Guid.Parse("01930f4e-7d46-7f62-8d84-9c405e6f7081");
    private static readonly Guid MotherId = Guid.Parse("01930f4e-7e58-7073-9e95-ad516f708192");
    private static readonly Guid FatherId = Guid.Parse("01930f4e-7f6a-7184-8fa6-be627081a2b3");
    private static readonly Guid ClientId = Guid.Parse("01930f4e-807c-7295-90b7-cf738192b3c4");
    private static readonly DateTimeOffset Created = new(2026, 8, 24, 7, 30, 0, TimeSpan.Zero);
    private const string ApiKey = "cak_3f9a0c1d2e4b_q8Zr2vN0xYtL5mKc7WjP1dHs9uBgE3aFiO6nR4yTzQw";

    private static readonly ApiClientResponse Client = new(ClientId, "ParnasSys koppeling", "cak_3f9a0c1d2e4b",
        [Scopes.RosterRead, Scopes.RosterWrite], [SchoolId], Created, null);

    private static readonly ImportJobResponse ImportJob = new(Guid.Parse("01930f4e-8a18-7c2f-9f50-69bd2b3c4d5e"), SchoolId,
        Domain.Imports.ImportKind.Edexml, Domain.Imports.ImportStatus.Succeeded, false,
        "sha256:9f2c4e1a7b3d5f60818a9b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60", 71_412, "application/xml",
        new ImportProgressResponse(306, 306), 0, [],
        new ImportResultResponse(Roster: new RosterSyncResponse(new RosterCounts(1, 0, 11), new PupilRosterCounts(24, 9, 3, 270),
            new RosterCounts(0, 0, 0), new LinkRosterCounts(0, 0, 0))),
        ClientId, Created, Created.AddSeconds(1), Created.AddSeconds(4));

    private static readonly ConsentPolicyResponse Policy = new(GrantRequires.AnyGuardian, 7, 31, "Europe/Amsterdam", ConsentAfterLeaving.Ends);
    private static readonly RetentionPolicyResponse Retention = new(RetentionPolicy.DefaultKeepMonths);
    private static readonly Guid SecondPupilId = Guid.Parse("01930f4e-87fa-790c-872e-36eaf8091a2b");
    private static readonly Guid PublicationId = Guid.Parse("01930f4e-88f4-7a0d-9d3e-47fb091a2b3c");
    private static readonly Guid TakedownId = Guid.Parse("01930f4e-8906-7b1e-8e4f-58ac1a2b3c4d");
    private static readonly Guid PublicationCheckId = Guid.Parse("01930f4e-88f5-7a0e-8d3f-47fb091a2b3d");

    // Registered with both pupils allowed; a paper refusal dated before publication, keyed in later, shows as known now.
    private static readonly StoredPublicationCheck PublicationProof = new(PublicationCheckId, true,
        new DateTimeOffset(2026, 10, 2, 15, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 10, 2, 15, 1, 0, TimeSpan.Zero),
        MediaType.Photo, "website", false,
        [
            new PupilCheckResult(PupilId, ConsentState.Granted, ConsentReasons.GrantedByGuardian, true),
            new PupilCheckResult(SecondPupilId, ConsentState.Granted, ConsentReasons.GrantedByGuardian, true),
        ], [], null, null);
    private static readonly WebhookResponse Webhook = new(Guid.Parse("01930f4e-8a17-7c2f-9f50-69bd2b3c4d5e"),
        "https://cms.obsderegenboog.nl/hooks/consent", [EventTypes.TakedownOpened, EventTypes.ConsentChanged], SchoolId,
        SubscriptionStatus.Active, new DateTimeOffset(2026, 9, 1, 9, 0, 0, TimeSpan.Zero));
    private static readonly Guid FormId = Guid.Parse("01930f4e-82a0-74b7-92d9-e195a3b4c5d6");
    private static readonly Guid VersionId = Guid.Parse("01930f4e-83b2-75c8-83ea-f2a6b4c5d6e7");
    private static readonly Guid BatchId = Guid.Parse("01930f4e-84c4-76d9-94fb-03b7c5d6e7f8");
    private const string ContentHash = "sha256:3b7e9c0d4a1f2e5b8c6d9a0e1f2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d";
    private const string TextNl = "Op onze school maken wij regelmatig foto's, films en geluidsopnamen van activiteiten zoals de " +
        "projectweek en het schoolreisje. Wij vragen u per onderdeel of wij materiaal waarop uw kind herkenbaar is mogen " +
        "publiceren. U kunt uw toestemming op elk moment intrekken via de ouderapp of bij de administratie.";
    private const string TextEn = "At our school we regularly take photos, films and audio recordings of activities such as " +
        "project week and the school trip. For each item we ask whether we may publish material in which your child is " +
        "recognisable. You can withdraw your consent at any time in the parents' app or at the school office.";
    private static readonly ConsentItem[] FormItems =
    [
        new(MediaType.Photo, "newsletter"), new(MediaType.Photo, "parent-app"), new(MediaType.Photo, "social-media"),
        new(MediaType.Photo, "website"), new(MediaType.Film, "parent-app"), new(MediaType.Audio, "parent-app"),
    ];
    private static readonly DecisionResponse Grant = new(Guid.Parse("01930f4e-85d6-77ea-850c-14c8d6e7f809"), BatchId,
        MediaType.Photo, "social-media", ConsentOutcome.Granted, DecidedBy.Guardian, MotherId, DecisionMethod.ParentApp,
        new DateTimeOffset(2026, 9, 2, 19, 4, 11, TimeSpan.Zero), new DateTimeOffset(2026, 9, 2, 19, 4, 12, TimeSpan.Zero),
        ClientId, VersionId, ContentHash, null, null, SupersededAt16: false);

    private static readonly ConsentReceipt Receipt = new(BatchId, "consent-api-receipt/1 (ISO/IEC TS 27560)",
        new DateTimeOffset(2026, 9, 2, 19, 4, 12, TimeSpan.Zero),
        new ReceiptController(OrganisationId, "Stichting Openbaar Primair Onderwijs Zuid"), new ReceiptSubject(PupilId, SchoolId),
        new ReceiptDecider(DecidedBy.Guardian, MotherId), new ReceiptNotice(FormId, VersionId, 1, ContentHash, "nl"),
        [new ReceiptPurpose(MediaType.Photo, "social-media", "Sociale media", ConsentOutcome.Granted)],
        DecisionMethod.ParentApp, new DateTimeOffset(2026, 9, 2, 19, 4, 11, TimeSpan.Zero), null,
        "Consent can be withdrawn at any time, as easily as it was given: record 'refused' for the item in the parents' app, or ask the school office.");
    private static readonly GuardianRecordedDecisions GuardianRecorded = new(BatchId, PupilId, [Grant], Receipt,
        $"/v1/parent-app/guardians/OV2001/receipts/{BatchId}");
    private static readonly Guid CampaignId = Guid.Parse("01930f4e-8d3c-702d-8b3c-4d5e6f7a8b9c");
    private static readonly CampaignResponse Campaign = new(CampaignId, SchoolId, "2026-2027", VersionId,
        new DateOnly(2026, 8, 31), new DateOnly(2026, 9, 25), "open", Created, null, new CampaignProgress(312, 241, 18, 53),
        [new GroupProgress(GroupId, "Groep 5b", new CampaignProgress(27, 22, 1, 4))]);
    private static readonly PupilResponse Pupil = new(PupilId, SchoolId, "LL1001", "Sanne de Vries",
        new DateOnly(2018, 3, 14), GroupId, PupilStatus.Active, null);


    // Sanne's export as the school sees it: moved from 4b to 5b, a corrected date of birth, her mother's grant in the app, a
    // photo on the website relying on it, then a paper withdrawal with its scan and the takedown it opened.
    private static readonly Guid PaperBatchId = Guid.Parse("01930f4e-8e4e-713e-9c4d-5e6f7a8b9cad");
    private static readonly Guid ProofFileId = Guid.Parse("01930f4e-8f60-724f-8d5e-6f7a8b9cadbe");
    private static readonly AccessExport AccessExportExample = new(new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero),
        AccessExportView.School, "Europe/Amsterdam", "Stichting Openbaar Primair Onderwijs Zuid",
        new ExportPupil(PupilId, "LL1001", "Sanne de Vries", new DateOnly(2018, 3, 14), SchoolId, "OBS De Regenboog", GroupId,
            "Groep 5b", PupilStatus.Active, null, new DateOnly(2034, 3, 14), null),
        [
            new ExportEnrolment(null, null, PupilStatus.Active, Guid.Parse("01930f4e-7c33-7e50-9c72-8b3f4d5e6f6f"), "Groep 4b"),
            new ExportEnrolment(new DateTimeOffset(2026, 8, 24, 6, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 8, 24, 6, 0, 0, TimeSpan.Zero),
                PupilStatus.Active, GroupId, "Groep 5b"),
        ],
        [
            new ExportBirthDate(null, new DateOnly(2018, 4, 13)),
            new ExportBirthDate(new DateTimeOffset(2026, 9, 1, 8, 0, 0, TimeSpan.Zero), new DateOnly(2018, 3, 14)),
        ],
        [new ExportGuardian(MotherId, "OV2001", "Marieke de Vries", true), new ExportGuardian(FatherId, "OV2002", "Joost de Vries", true)],
        [],
        [new ExportLinkChange(MotherId, null, null, true, true), new ExportLinkChange(FatherId, null, null, true, true)],
        [
            new ExportDecision(Grant.Id, 1041, BatchId, MediaType.Photo, "website", ConsentOutcome.Granted, DecidedBy.Guardian, MotherId,
                DecisionMethod.ParentApp, Grant.GivenAt, Grant.RecordedAt, ClientId, null, null, "nl", FormId, VersionId, 1, ContentHash, false),
            new ExportDecision(Guid.Parse("01930f4e-8e4f-713f-8c4d-5e6f7a8b9cae"), 1187, PaperBatchId, MediaType.Photo, "website",
                ConsentOutcome.Refused, DecidedBy.Guardian, MotherId, DecisionMethod.Paper, new DateTimeOffset(2026, 11, 19, 14, 0, 0, TimeSpan.Zero),
                new DateTimeOffset(2026, 11, 20, 8, 11, 0, TimeSpan.Zero), ClientId, "Scan 2026-118", "Ingetrokken met het papieren formulier.",
                "nl", FormId, VersionId, 1, ContentHash, false),
        ],
        [new ExportFormText(FormId, VersionId, 1, "Toestemming beeldmateriaal", "nl", ContentHash, TextNl)],
        [Receipt],
        [new ExportProofFile(ProofFileId, PaperBatchId, "application/pdf", 183_412,
            "sha256:9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b2d4f6e8a0c2e4b6d8f0a2c4e6b8d0f", "intrekking-sanne.pdf",
            new DateTimeOffset(2026, 11, 20, 8, 12, 0, TimeSpan.Zero), $"/v1/receipts/{PaperBatchId}/proof-files/{ProofFileId}", null)],
        [new ConsentItemState(MediaType.Photo, "website", ConsentState.Refused, ConsentReasons.RefusedByGuardian, false, [])],
        [new ExportPublication(PublicationId, "website", MediaType.Photo, "Foto's schoolreisje groep 5b",
            "https://www.obsderegenboog.nl/nieuws/schoolreisje-groep-5b", null, new DateTimeOffset(2026, 10, 2, 15, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 10, 2, 15, 1, 0, TimeSpan.Zero), false, PublicationStatus.Removed,
            new DateTimeOffset(2026, 11, 20, 9, 30, 0, TimeSpan.Zero), "Foto verwijderd uit het album op de website.", true,
            new ExportPublicationCheck(PublicationCheckId, new DateTimeOffset(2026, 10, 2, 15, 0, 0, TimeSpan.Zero),
                new DateTimeOffset(2026, 10, 2, 15, 1, 0, TimeSpan.Zero), ConsentState.Granted, ConsentReasons.GrantedByGuardian, true, true, null))],
        [new ExportTakedown(TakedownId, PublicationId, TakedownStatus.Done, TakedownKind.Removal, new DateTimeOffset(2026, 11, 20, 8, 12, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 11, 20, 9, 30, 0, TimeSpan.Zero), "Websitebeheer OBS De Regenboog", "Foto verwijderd uit het album op de website.",
            ConsentState.Refused, ConsentReasons.RefusedByGuardian, new DateTimeOffset(2026, 11, 20, 8, 12, 0, TimeSpan.Zero))],
        [new ExportConsentRequest(CampaignId, "2026-2027", VersionId, new DateOnly(2026, 8, 31), new DateOnly(2026, 9, 25), null,
            new DateTimeOffset(2026, 8, 31, 6, 0, 0, TimeSpan.Zero))],
        [],
        [new AuditEventResponse(Guid.Parse("01930f4e-8f61-7250-9d5e-6f7a8b9cadbf"), ClientId, "UploadProofFile", "proof-file", ProofFileId,
            "0HNA7C4J2V1QK:00000003", new DateTimeOffset(2026, 11, 20, 8, 12, 0, TimeSpan.Zero))]);

    private static readonly Dictionary<Type, object> ByType = new()
    {
        [typeof(CreateOrganisationCommand)] = new CreateOrganisationCommand("Stichting Openbaar Primair Onderwijs Zuid"),
        [typeof(OrganisationResponse)] = new OrganisationResponse(OrganisationId, "Stichting Openbaar Primair Onderwijs Zuid", Created, Policy, Retention),
        [typeof(CreatedOrganisationResponse)] = new CreatedOrganisationResponse(
            new OrganisationResponse(OrganisationId, "Stichting Openbaar Primair Onderwijs Zuid", Created, Policy, Retention),
            new CreatedApiClientResponse(Client with { Name = "Initial admin", Scopes = [Scopes.Admin], SchoolIds = [] }, ApiKey)),
        [typeof(SchoolRequest)] = new SchoolRequest("OBS De Regenboog", "12AB"),
        [typeof(SchoolResponse)] = new SchoolResponse(SchoolId, "OBS De Regenboog", "12AB", Created),
        [typeof(GroupRequest)] = new GroupRequest("G5B", "Groep 5b", "2026-2027"),
        [typeof(GroupResponse)] = new GroupResponse(GroupId, SchoolId, "G5B", "Groep 5b", "2026-2027"),
        [typeof(PupilRequest)] = new PupilRequest("LL1001", "Sanne de Vries", new DateOnly(2018, 3, 14), GroupId, PupilStatus.Active, null),
        [typeof(PupilResponse)] = Pupil,
        [typeof(PupilDetailResponse)] = new PupilDetailResponse(Pupil.Id, Pupil.SchoolId, Pupil.ExternalId, Pupil.DisplayName,
            Pupil.DateOfBirth, Pupil.GroupId, Pupil.Status, Pupil.LeftOn,
            [
                new PupilGuardianResponse(MotherId, "OV2001", "Marieke de Vries", true),
                new PupilGuardianResponse(FatherId, "OV2002", "Joost de Vries", true),
            ]),
        [typeof(PupilGuardianResponse)] = new PupilGuardianResponse(MotherId, "OV2001", "Marieke de Vries", true),
        [typeof(GuardianLinkRequest)] = new GuardianLinkRequest(true),
        [typeof(GuardianRequest)] = new GuardianRequest("OV2001", "Marieke de Vries"),
        [typeof(GuardianResponse)] = new GuardianResponse(MotherId, "OV2001", "Marieke de Vries"),
        [typeof(GuardianDetailResponse)] = new GuardianDetailResponse(MotherId, "OV2001", "Marieke de Vries",
            [new GuardianPupilResponse(PupilId, SchoolId, "Sanne de Vries", true)]),
        [typeof(RosterRequest)] = new RosterRequest(
            [new GroupRequest("G5B", "Groep 5b", "2026-2027"), new GroupRequest("G8A", "Groep 8a", "2026-2027")],
            [
                new RosterPupil("LL1001", "Sanne de Vries", new DateOnly(2018, 3, 14), "G5B",
                    [new RosterGuardianLink("OV2001", true), new RosterGuardianLink("OV2002", true)]),
                new RosterPupil("LL1002", "Daan Jansen", new DateOnly(2015, 2, 11), "G8A",
                    [new RosterGuardianLink("OV2003", true)]),
            ],
            [
                new GuardianRequest("OV2001", "Marieke de Vries"),
                new GuardianRequest("OV2002", "Joost de Vries"),
                new GuardianRequest("OV2003", "Fatima Jansen"),
            ]),
        [typeof(RosterSyncResponse)] = new RosterSyncResponse(new RosterCounts(0, 1, 11), new PupilRosterCounts(3, 12, 2, 289),
            new RosterCounts(5, 2, 410), new LinkRosterCounts(6, 1, 3)),
        [typeof(ImportJobResponse)] = ImportJob,
        [typeof(ImportErrorResponse)] = new ImportErrorResponse(214, "/EDEX/leerlingen/leerling[12]/geboortedatum", "geboortedatum",
            "The date of birth is not a date such as 2016-03-14."),
        [typeof(ImportProgressResponse)] = new ImportProgressResponse(306, 306),
        [typeof(CreateApiClientCommand)] = new CreateApiClientCommand("ParnasSys koppeling", [Scopes.RosterRead, Scopes.RosterWrite], [SchoolId]),
        [typeof(ApiClientResponse)] = Client,
        [typeof(CreatedApiClientResponse)] = new CreatedApiClientResponse(Client, ApiKey),
        [typeof(AuditEventResponse)] = new AuditEventResponse(Guid.Parse("01930f4e-818e-73a6-81c8-d08492a3c4d5"), ClientId,
            "SyncRoster", "school", SchoolId, "4bf92f3577b34da6a3ce929d0e0e4736", Created.AddMinutes(5)),
        [typeof(HealthResponse)] = new HealthResponse("Healthy", new Dictionary<string, HealthCheckResponse>
        {
            ["database"] = new("Healthy", "Database reachable; migrations applied."),
        }),
        [typeof(ConsentPolicyRequest)] = new ConsentPolicyRequest(GrantRequires.AllGuardians, 7, 31, "Europe/Amsterdam", ConsentAfterLeaving.Ends),
        [typeof(ConsentPolicyResponse)] = Policy,
        [typeof(RetentionPolicyRequest)] = new RetentionPolicyRequest(36),
        [typeof(RetentionPolicyResponse)] = Retention,
        [typeof(PupilErasureResponse)] = new PupilErasureResponse(PupilId, SchoolId,
            new DateTimeOffset(2028, 9, 1, 10, 15, 0, TimeSpan.Zero), ErasureReason.Request, new ErasedCounts(2, 1, 2, 0, 0),
            Enum.GetValues<ErasureKept>()),
        [typeof(ErasedCounts)] = new ErasedCounts(2, 1, 2, 0, 0),
        [typeof(ChannelResponse)] = new ChannelResponse(Guid.Parse("01930f4e-86e8-78fb-961d-25d9e7f8091a"), "regional-press",
            "Regionale pers", "Regional press", ChannelAudience.Public, null, ChannelRecall.Removable),
        [typeof(ChannelList)] = new ChannelList(
        [
            new ChannelResponse(Guid.Parse("01930f4e-86e8-78fb-961d-25d9e7f8091b"), "newsletter", "Nieuwsbrief", "Newsletter", ChannelAudience.Closed, null, ChannelRecall.NotRecallable),
            new ChannelResponse(Guid.Parse("01930f4e-86e8-78fb-961d-25d9e7f8091c"), "social-media", "Sociale media", "Social media", ChannelAudience.Public, null, ChannelRecall.Removable),
        ]),
        [typeof(ChannelRequest)] = new ChannelRequest("Regionale pers", "Regional press", ChannelAudience.Public),
        [typeof(CreateChannelRequest)] = new CreateChannelRequest("regional-press", "Regionale pers", "Regional press", ChannelAudience.Public),
        [typeof(CreateConsentFormRequest)] = new CreateConsentFormRequest("Toestemming beeld- en geluidsmateriaal", null),
        [typeof(ConsentFormResponse)] = new ConsentFormResponse(FormId, null, "Toestemming beeld- en geluidsmateriaal", Created,
            [new FormVersionSummary(VersionId, 1, FormVersionStatus.Published, ContentHash, Created.AddDays(1), null, null)]),
        [typeof(FormVersionSummary)] = new FormVersionSummary(VersionId, 1, FormVersionStatus.Published, ContentHash, Created.AddDays(1), null, null),
        [typeof(ConsentItem)] = new ConsentItem(MediaType.Photo, "social-media"),
        [typeof(FormVersionRequest)] = new FormVersionRequest(TextNl, TextEn, ConsentValidity.SchoolYear, "2026-2027", FormItems),
        [typeof(FormVersionResponse)] = new FormVersionResponse(VersionId, FormId, 1, FormVersionStatus.Published, TextNl, TextEn,
            ConsentValidity.SchoolYear, "2026-2027", FormItems, ContentHash, Created, Created.AddDays(1), null, null, null),
        [typeof(WithdrawFormVersionRequest)] = new WithdrawFormVersionRequest("De tekst noemde het verkeerde kanaal."),
        [typeof(RecordDecisionsRequest)] = new RecordDecisionsRequest(VersionId, DecidedBy.Guardian, MotherId, DecisionMethod.ParentApp,
            null, null, null,
            [
                new ItemDecision(MediaType.Photo, "social-media", ConsentOutcome.Granted),
                new ItemDecision(MediaType.Photo, "website", ConsentOutcome.Refused),
            ], "nl"),
        [typeof(ItemDecision)] = new ItemDecision(MediaType.Photo, "social-media", ConsentOutcome.Refused),
        [typeof(DecisionResponse)] = Grant,
        [typeof(RecordedDecisionsResponse)] = new RecordedDecisionsResponse(BatchId, PupilId, [Grant], Receipt),
        [typeof(ConsentReceipt)] = Receipt,
        [typeof(ConsentItemState)] = new ConsentItemState(MediaType.Photo, "social-media", ConsentState.Granted,
            ConsentReasons.GrantedByGuardian, true, [Grant]),
        [typeof(ConsentMatrixResponse)] = new ConsentMatrixResponse(PupilId, new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero),
        [
            new ConsentItemState(MediaType.Photo, "social-media", ConsentState.Granted, ConsentReasons.GrantedByGuardian, true, [Grant]),
            new ConsentItemState(MediaType.Film, "social-media", ConsentState.NotAsked, ConsentReasons.NotAsked, false, []),
        ]),
        [typeof(CheckPublicationRequest)] = new CheckPublicationRequest([PupilId, SecondPupilId], MediaType.Photo, "social-media", null),
        [typeof(PublicationCheckResponse)] = new PublicationCheckResponse(false, new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero),
            MediaType.Photo, "social-media",
            [
                new PupilCheckResult(PupilId, ConsentState.Granted, ConsentReasons.GrantedByGuardian, true),
                new PupilCheckResult(SecondPupilId, ConsentState.Conflict, ConsentReasons.GuardiansDisagree, false),
            ]),
        [typeof(PupilCheckResult)] = new PupilCheckResult(PupilId, ConsentState.Refused, ConsentReasons.RefusedByGuardian, false),
        [typeof(ConsentOverviewResponse)] = new ConsentOverviewResponse(SchoolId, "OBS De Regenboog", GroupId, "Groep 5b", "2026-2027",
            new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero), "Europe/Amsterdam",
            [new OverviewColumn(MediaType.Photo, "social-media", "Sociale media"), new OverviewColumn(MediaType.Film, "social-media", "Sociale media")],
            [
                new OverviewPupil(PupilId, "LL1001", "Sanne de Vries",
                [
                    new OverviewCell(MediaType.Photo, "social-media", ConsentState.Granted, ConsentReasons.GrantedByGuardian, true),
                    new OverviewCell(MediaType.Film, "social-media", ConsentState.Refused, ConsentReasons.RefusedByGuardian, false),
                ]),
            ]),
        [typeof(RegisterPublicationRequest)] = new RegisterPublicationRequest(SchoolId, "website", MediaType.Photo,
            "Foto's schoolreisje groep 5b", "https://www.obsderegenboog.nl/nieuws/schoolreisje-groep-5b", null,
            new DateTimeOffset(2026, 10, 2, 15, 0, 0, TimeSpan.Zero), [PupilId, SecondPupilId], null),
        [typeof(PublicationResponse)] = new PublicationResponse(PublicationId, SchoolId, "website", MediaType.Photo,
            "Foto's schoolreisje groep 5b", "https://www.obsderegenboog.nl/nieuws/schoolreisje-groep-5b", null,
            new DateTimeOffset(2026, 10, 2, 15, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 10, 2, 15, 1, 0, TimeSpan.Zero), false,
            PublicationStatus.Online, null, null, [PupilId, SecondPupilId], PublicationCheckId, true, PublicationProof,
            new PublicationCheckResponse(false, new DateTimeOffset(2026, 10, 2, 15, 0, 0, TimeSpan.Zero),
                new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero), MediaType.Photo, "website",
                [
                    new PupilCheckResult(PupilId, ConsentState.Granted, ConsentReasons.GrantedByGuardian, true),
                    new PupilCheckResult(SecondPupilId, ConsentState.Refused, ConsentReasons.RefusedByGuardian, false),
                ]), []),
        [typeof(StoredPublicationCheck)] = PublicationProof,
        [typeof(PublicationDossier)] = Dossier(),
        [typeof(RemovePublicationRequest)] = new RemovePublicationRequest("Album van de website gehaald."),
        [typeof(TakedownResponse)] = new TakedownResponse(TakedownId, SchoolId, PublicationId, TakedownStatus.Open, TakedownKind.Removal,
            new DateTimeOffset(2026, 11, 20, 8, 12, 0, TimeSpan.Zero), null, null, null,
            [new TakedownPupilResponse(PupilId, ConsentState.Refused, ConsentReasons.RefusedByGuardian, new DateTimeOffset(2026, 11, 20, 8, 12, 0, TimeSpan.Zero))]),
        [typeof(CompleteTakedownRequest)] = new CompleteTakedownRequest("Websitebeheer OBS De Regenboog", "Foto verwijderd uit het album op de website."),
        [typeof(CreateWebhookRequest)] = new CreateWebhookRequest("https://cms.obsderegenboog.nl/hooks/consent",
            [EventTypes.TakedownOpened, EventTypes.ConsentChanged], SchoolId),
        [typeof(WebhookResponse)] = Webhook,
        [typeof(CreatedWebhookResponse)] = new CreatedWebhookResponse(Webhook, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw7Qq5vEXn3Oo="),
        [typeof(WebhookList)] = new WebhookList([Webhook]),
        [typeof(DeliveryResponse)] = new DeliveryResponse(Guid.Parse("01930f4e-8c2a-7f1c-9a2b-3c4d5e6f7a8b"),
            Guid.Parse("01930f4e-8b18-7e0b-8f1a-2b3c4d5e6f7a"), EventTypes.TakedownOpened, DeliveryStatus.Delivered, 2,
            new DateTimeOffset(2026, 11, 20, 8, 12, 0, TimeSpan.Zero), null, new DateTimeOffset(2026, 11, 20, 8, 12, 6, TimeSpan.Zero),
            [
                new AttemptResponse(new DateTimeOffset(2026, 11, 20, 8, 12, 1, TimeSpan.Zero), 503, "The receiver answered 503.", 41),
                new AttemptResponse(new DateTimeOffset(2026, 11, 20, 8, 12, 6, TimeSpan.Zero), 200, null, 38),
            ]),
        [typeof(CreateCampaignRequest)] = new CreateCampaignRequest("2026-2027", VersionId, new DateOnly(2026, 8, 31), new DateOnly(2026, 9, 25)),
        [typeof(CampaignResponse)] = Campaign,
        [typeof(CampaignList)] = new CampaignList([Campaign]),
        [typeof(NonResponderList)] = new NonResponderList(CampaignId,
        [
            new NonResponder(SecondPupilId, "LL1002", "Daan Jansen", GroupId, 0, 6,
                [new ReminderTarget("guardian", FatherId, "OV2003"), new ReminderTarget("guardian", MotherId, "OV2004")]),
        ], Paging.CursorFor(SecondPupilId)),
        [typeof(ChildrenResponse)] = new ChildrenResponse(
        [
            new ChildResponse(PupilId, "Sanne de Vries", SchoolId, true, false, false,
                [new ConsentItemState(MediaType.Photo, "social-media", ConsentState.Granted, ConsentReasons.GrantedByGuardian, true, [Grant])]),
        ]),
        [typeof(PendingRequestsResponse)] = new PendingRequestsResponse(
        [
            new PendingRequest(CampaignId, PupilId, "Sanne de Vries", VersionId, ContentHash, "nl", TextNl, new DateOnly(2026, 9, 25),
                [new ConsentItemState(MediaType.Photo, "website", ConsentState.Pending, ConsentReasons.NoAnswer, false, [])]),
        ]),
        [typeof(GuardianDecisionsRequest)] = new GuardianDecisionsRequest(
        [
            new ChildDecisions(PupilId, VersionId, [new ItemDecision(MediaType.Photo, "website", ConsentOutcome.Granted)]),
            new ChildDecisions(SecondPupilId, VersionId, [new ItemDecision(MediaType.Photo, "website", ConsentOutcome.Refused)]),
        ], "nl"),
        [typeof(GuardianDecisionsResponse)] = new GuardianDecisionsResponse([GuardianRecorded]),
        [typeof(GuardianRecordedDecisions)] = GuardianRecorded,
        [typeof(WithdrawalRequest)] = new WithdrawalRequest(PupilId, MediaType.Photo, "social-media"),
        [typeof(AccessExport)] = AccessExportExample,
    };

    private static readonly JsonSerializerOptions Json = ConsentApiServices.CreateJsonOptions();


    /// <summary>
    /// A dossier: Sanne's mother granted on paper (the scan kept); the second pupil's paper refusal, signed before the photo went
    /// online but keyed in later, shows as known now; Sanne's mother withdrew afterwards and the takedown was done.
    /// </summary>
    private static PublicationDossier Dossier()
    {
        var publishedAt = new DateTimeOffset(2026, 10, 2, 15, 0, 0, TimeSpan.Zero);
        var paperGrant = new DossierDecision(Guid.Parse("01930f4e-85d7-77eb-850d-14c8d6e7f80a"), PupilId, BatchId, DecidedBy.Guardian,
            MotherId, "OV2001", "Marieke de Vries", ConsentOutcome.Granted, DecisionMethod.Paper,
            new DateTimeOffset(2026, 9, 1, 18, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 9, 3, 8, 30, 0, TimeSpan.Zero), ClientId,
            VersionId, 1, ContentHash, "Map toestemming 2026-2027, nr. 14",
            [new ProofFileResponse(Guid.Parse("01930f4e-85d8-77ec-850e-14c8d6e7f80b"), BatchId, PupilId, "application/pdf", 184_233,
                "sha256:9f2c4e6a8b0d1f3a5c7e9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a", "toestemming-sanne-de-vries.pdf", ClientId,
                new DateTimeOffset(2026, 9, 3, 8, 31, 0, TimeSpan.Zero))],
            true, true, false);
        var fatherId = Guid.Parse("01930f4e-7f6b-7185-8fa7-be627081a2b4");
        var lateRefusal = new DossierDecision(Guid.Parse("01930f4e-85d9-77ed-850f-14c8d6e7f80c"), SecondPupilId,
            Guid.Parse("01930f4e-84c5-76da-94fc-03b7c5d6e7f9"), DecidedBy.Guardian, fatherId, "OV2005", "Peter Bakker", ConsentOutcome.Refused,
            DecisionMethod.Paper, new DateTimeOffset(2026, 9, 30, 19, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 10, 6, 9, 15, 0, TimeSpan.Zero),
            ClientId, VersionId, 1, ContentHash, null, [], false, true, false);
        var withdrawal = new DossierDecision(Guid.Parse("01930f4e-85da-77ee-8510-14c8d6e7f80d"), PupilId,
            Guid.Parse("01930f4e-84c6-76db-94fd-03b7c5d6e7fa"), DecidedBy.Guardian, MotherId, "OV2001", "Marieke de Vries",
            ConsentOutcome.Refused, DecisionMethod.ParentApp, new DateTimeOffset(2026, 11, 20, 8, 11, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 11, 20, 8, 11, 1, TimeSpan.Zero), ClientId, VersionId, 1, ContentHash, null, [], false, false, false);
        return new PublicationDossier(PublicationId, new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero), "Europe/Amsterdam",
            new DossierPublication(PublicationId, SchoolId, "OBS De Regenboog", "Foto's schoolreisje groep 5b",
                "https://www.obsderegenboog.nl/nieuws/schoolreisje-groep-5b", null, MediaType.Photo, publishedAt,
                new DateTimeOffset(2026, 10, 2, 15, 1, 0, TimeSpan.Zero), ClientId, "Website OBS De Regenboog", false,
                PublicationStatus.Removed, new DateTimeOffset(2026, 11, 20, 10, 2, 0, TimeSpan.Zero), "Foto verwijderd uit het album op de website."),
            new DossierChannel("website", "Website", "Website", ChannelAudience.Public, ChannelRecall.Removable, false),
            [
                new DossierPupil(SecondPupilId, "LL1002", "Daan Bakker", GroupId, "Groep 5b", true, null, null, null),
                new DossierPupil(PupilId, "LL1001", "Sanne de Vries", GroupId, "Groep 5b", true, null, null, null),
            ],
            PublicationProof,
            new DossierRecheck(publishedAt, new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero), false, true,
            [
                new DossierRecheckPupil(PupilId, ConsentState.Granted, ConsentReasons.GrantedByGuardian, true, false),
                new DossierRecheckPupil(SecondPupilId, ConsentState.Refused, ConsentReasons.RefusedByGuardian, false, true),
            ]),
            [
                new DossierPupilDecisions(SecondPupilId,
                [
                    paperGrant with { Id = Guid.Parse("01930f4e-85db-77ef-8511-14c8d6e7f80e"), PupilId = SecondPupilId,
                        ReceiptId = Guid.Parse("01930f4e-84c7-76dc-94fe-03b7c5d6e7fb"), GuardianId = fatherId, GuardianExternalId = "OV2005",
                        GuardianName = "Peter Bakker", ProofReference = null, ProofFiles = [], CountedAsKnownNow = false },
                    lateRefusal,
                ]),
                new DossierPupilDecisions(PupilId, [paperGrant]),
            ],
            [withdrawal],
            [
                new DossierTakedown(TakedownId, TakedownKind.Removal, TakedownStatus.Done, new DateTimeOffset(2026, 10, 6, 9, 15, 0, TimeSpan.Zero),
                [
                    new DossierTakedownPupil(SecondPupilId, ConsentState.Refused, ConsentReasons.RefusedByGuardian, new DateTimeOffset(2026, 10, 6, 9, 15, 0, TimeSpan.Zero)),
                    new DossierTakedownPupil(PupilId, ConsentState.Refused, ConsentReasons.RefusedByGuardian, new DateTimeOffset(2026, 11, 20, 8, 11, 1, TimeSpan.Zero)),
                ],
                new DateTimeOffset(2026, 11, 20, 10, 2, 0, TimeSpan.Zero), "Websitebeheer OBS De Regenboog", ClientId, "Website OBS De Regenboog",
                "Foto verwijderd uit het album op de website."),
            ]);
    }

    public static System.Text.Json.Nodes.JsonNode? For(Type type) =>
        ByType.TryGetValue(type, out var example) ? JsonSerializer.SerializeToNode(example, type, Json) : null;

    public static IEnumerable<Type> Types => ByType.Keys;
}

internal sealed class ExamplesSchemaFilter : ISchemaFilter
{
    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is OpenApiSchema concrete && Examples.For(context.Type) is { } example)
        {
            concrete.Examples = [example];
        }
    }
}
