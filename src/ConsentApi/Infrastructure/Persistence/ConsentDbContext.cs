using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Domain.Publishing;
using ConsentApi.Infrastructure.Events;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Infrastructure.Persistence;

public sealed class ConsentDbContext(DbContextOptions<ConsentDbContext> options) : DbContext(options)
{
    public DbSet<Organisation> Organisations => Set<Organisation>();
    public DbSet<School> Schools => Set<School>();
    public DbSet<Group> Groups => Set<Group>();
    public DbSet<Pupil> Pupils => Set<Pupil>();
    public DbSet<PupilErasure> PupilErasures => Set<PupilErasure>();
    public DbSet<Guardian> Guardians => Set<Guardian>();
    public DbSet<GuardianLink> GuardianLinks => Set<GuardianLink>();
    public DbSet<GuardianSchool> GuardianSchools => Set<GuardianSchool>();
    public DbSet<ApiClient> ApiClients => Set<ApiClient>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<Channel> Channels => Set<Channel>();
    public DbSet<ConsentForm> ConsentForms => Set<ConsentForm>();
    public DbSet<ConsentFormVersion> ConsentFormVersions => Set<ConsentFormVersion>();
    public DbSet<ConsentFormItem> ConsentFormItems => Set<ConsentFormItem>();
    public DbSet<Decision> Decisions => Set<Decision>();
    public DbSet<ProofFile> ProofFiles => Set<ProofFile>();
    public DbSet<ProofFileChunk> ProofFileChunks => Set<ProofFileChunk>();
    public DbSet<AnnouncedConsent> AnnouncedConsents => Set<AnnouncedConsent>();
    public DbSet<Turning16Notice> Turning16Notices => Set<Turning16Notice>();
    public DbSet<Campaign> Campaigns => Set<Campaign>();
    public DbSet<ConsentRequest> ConsentRequests => Set<ConsentRequest>();
    public DbSet<Publication> Publications => Set<Publication>();
    public DbSet<Takedown> Takedowns => Set<Takedown>();
    public DbSet<OutboxEvent> OutboxEvents => Set<OutboxEvent>();
    public DbSet<Domain.Webhooks.WebhookSubscription> WebhookSubscriptions => Set<Domain.Webhooks.WebhookSubscription>();
    public DbSet<Domain.Webhooks.WebhookDelivery> WebhookDeliveries => Set<Domain.Webhooks.WebhookDelivery>();
    public DbSet<Domain.Imports.ImportJob> ImportJobs => Set<Domain.Imports.ImportJob>();
    public DbSet<Domain.Imports.ImportFile> ImportFiles => Set<Domain.Imports.ImportFile>();
    public DbSet<Idempotency.StoredResponse> StoredResponses => Set<Idempotency.StoredResponse>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ConsentDbContext).Assembly);
}
