using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Domain.Publishing;
using ConsentApi.Infrastructure.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace ConsentApi.Infrastructure.Persistence.Configurations;

internal sealed class PublicationConfiguration : IEntityTypeConfiguration<Publication>
{
    public void Configure(EntityTypeBuilder<Publication> builder)
    {
        builder.Property(p => p.Id).ValueGeneratedNever();
        builder.Property(p => p.ChannelKey).HasMaxLength(FieldLengths.ChannelKey);
        builder.Property(p => p.MediaType).HasConversion<string>().HasMaxLength(FieldLengths.Status);
        builder.Property(p => p.Status).HasConversion<string>().HasMaxLength(FieldLengths.Status);
        builder.Property(p => p.Title).HasMaxLength(FieldLengths.Name);
        builder.Property(p => p.Url).HasMaxLength(FieldLengths.Url);
        builder.Property(p => p.Location).HasMaxLength(FieldLengths.Location);
        builder.Property(p => p.RemovalNote).HasMaxLength(FieldLengths.Note);
        builder.HasOne<School>().WithMany().HasForeignKey(p => p.SchoolId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Channel>().WithMany().HasForeignKey(p => new { p.OrganisationId, p.ChannelKey })
            .HasPrincipalKey(c => new { c.OrganisationId, c.Key }).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(p => p.Pupils).WithOne().HasForeignKey(p => p.PublicationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(p => p.Check).WithOne().HasForeignKey<PublicationCheck>(c => c.PublicationId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(p => new { p.OrganisationId, p.Status, p.Id });
        builder.HasIndex(p => new { p.SchoolId, p.PublishedAt });
        builder.ToTable(t => t.HasCheckConstraint("ck_publications_where", "url IS NOT NULL OR location IS NOT NULL"));
    }
}

internal sealed class PublicationPupilConfiguration : IEntityTypeConfiguration<PublicationPupil>
{
    public void Configure(EntityTypeBuilder<PublicationPupil> builder)
    {
        builder.HasKey(p => new { p.PublicationId, p.PupilId });
        builder.HasOne<Pupil>().WithMany().HasForeignKey(p => p.PupilId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(p => p.PupilId);
    }
}

// Both tables are append-only (trigger publication_checks_append_only, migration PublicationProof): the proof of a
// publication cannot be edited after the fact.
internal sealed class PublicationCheckConfiguration : IEntityTypeConfiguration<PublicationCheck>
{
    public void Configure(EntityTypeBuilder<PublicationCheck> builder)
    {
        builder.Property(c => c.Id).ValueGeneratedNever();
        builder.Property(c => c.ChannelKey).HasMaxLength(FieldLengths.ChannelKey);
        builder.Property(c => c.MediaType).HasConversion<string>().HasMaxLength(FieldLengths.Status);
        builder.Property(c => c.UnrecognisableDeclaredBy).HasMaxLength(FieldLengths.Name);
        builder.HasOne<Organisation>().WithMany().HasForeignKey(c => c.OrganisationId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(c => c.Pupils).WithOne().HasForeignKey(p => p.CheckId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(c => c.PublicationId).IsUnique();
        builder.ToTable("publication_checks", t => t.HasCheckConstraint("ck_publication_checks_known_after", "as_known_at >= at"));
    }
}

internal sealed class PublicationCheckPupilConfiguration : IEntityTypeConfiguration<PublicationCheckPupil>
{
    public void Configure(EntityTypeBuilder<PublicationCheckPupil> builder)
    {
        builder.ToTable("publication_check_pupils");
        builder.HasKey(p => new { p.CheckId, p.PupilId });
        builder.Property(p => p.State).HasConversion<string>().HasMaxLength(FieldLengths.StateName);
        builder.Property(p => p.Reason).HasMaxLength(FieldLengths.Reason);
        builder.HasOne<Pupil>().WithMany().HasForeignKey(p => p.PupilId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class TakedownConfiguration : IEntityTypeConfiguration<Takedown>
{
    public void Configure(EntityTypeBuilder<Takedown> builder)
    {
        builder.Property(t => t.Id).ValueGeneratedNever();
        builder.Property(t => t.Status).HasConversion<string>().HasMaxLength(FieldLengths.Status);
        builder.Property(t => t.Kind).HasConversion<string>().HasMaxLength(FieldLengths.Status);
        builder.Property(t => t.CompletedBy).HasMaxLength(FieldLengths.Name);
        builder.Property(t => t.CompletionNote).HasMaxLength(FieldLengths.Note);
        builder.HasOne<Publication>().WithMany().HasForeignKey(t => t.PublicationId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(t => t.Pupils).WithOne().HasForeignKey(p => p.TakedownId).OnDelete(DeleteBehavior.Cascade);
        // One open takedown per publication; pupils affected later join it.
        builder.HasIndex(t => t.PublicationId).IsUnique().HasFilter("status = 'Open'");
        builder.HasIndex(t => new { t.OrganisationId, t.Status, t.Id });
    }
}

internal sealed class TakedownPupilConfiguration : IEntityTypeConfiguration<TakedownPupil>
{
    public void Configure(EntityTypeBuilder<TakedownPupil> builder)
    {
        builder.HasKey(p => new { p.TakedownId, p.PupilId });
        builder.Property(p => p.State).HasConversion<string>().HasMaxLength(FieldLengths.StateName);
        builder.Property(p => p.Reason).HasMaxLength(FieldLengths.Reason);
        builder.HasOne<Pupil>().WithMany().HasForeignKey(p => p.PupilId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class OutboxEventConfiguration : IEntityTypeConfiguration<OutboxEvent>
{
    public void Configure(EntityTypeBuilder<OutboxEvent> builder)
    {
        builder.ToTable("outbox_events");
        builder.Property(e => e.Id).ValueGeneratedNever();
        // Taken by the trigger outbox_events_take_position (migration DispatcherLeases) after the writing transaction
        // owns an xid, from the sequence outbox_position; see CommitFence for why that order matters.
        builder.Property(e => e.Sequence).ValueGeneratedOnAdd().Metadata.SetValueGenerationStrategy(NpgsqlValueGenerationStrategy.None);
        builder.Property(e => e.Type).HasMaxLength(FieldLengths.EventType);
        builder.Property(e => e.Payload).HasColumnType("jsonb");
        builder.HasOne<Organisation>().WithMany().HasForeignKey(e => e.OrganisationId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(e => e.Sequence).IsUnique();
        builder.HasIndex(e => new { e.OrganisationId, e.Sequence });
    }
}

internal sealed class WebhookSubscriptionConfiguration : IEntityTypeConfiguration<Domain.Webhooks.WebhookSubscription>
{
    public void Configure(EntityTypeBuilder<Domain.Webhooks.WebhookSubscription> builder)
    {
        builder.Property(s => s.Id).ValueGeneratedNever();
        builder.Property(s => s.Url).HasMaxLength(FieldLengths.Url);
        builder.Property(s => s.Secret).HasMaxLength(64);
        builder.Property(s => s.Status).HasConversion<string>().HasMaxLength(FieldLengths.Status);
        builder.HasOne<Organisation>().WithMany().HasForeignKey(s => s.OrganisationId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<School>().WithMany().HasForeignKey(s => s.SchoolId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(s => new { s.OrganisationId, s.Status });
    }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<Domain.Webhooks.WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<Domain.Webhooks.WebhookDelivery> builder)
    {
        builder.Property(d => d.Id).ValueGeneratedNever();
        builder.Property(d => d.Status).HasConversion<string>().HasMaxLength(FieldLengths.Status);
        builder.HasOne<Domain.Webhooks.WebhookSubscription>().WithMany().HasForeignKey(d => d.SubscriptionId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<OutboxEvent>().WithMany().HasForeignKey(d => d.EventId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(d => d.AttemptLog).WithOne().HasForeignKey(a => a.DeliveryId).OnDelete(DeleteBehavior.Cascade);
        // The dispatcher's question: which deliveries of a subscription are pending (it sends them in their events' position order).
        builder.HasIndex(d => new { d.SubscriptionId, d.Status, d.Id });
        builder.HasIndex(d => new { d.Status, d.NextAttemptAt });
    }
}

internal sealed class WebhookAttemptConfiguration : IEntityTypeConfiguration<Domain.Webhooks.WebhookAttempt>
{
    public void Configure(EntityTypeBuilder<Domain.Webhooks.WebhookAttempt> builder)
    {
        builder.Property(a => a.Id).ValueGeneratedNever();
        builder.Property(a => a.Error).HasMaxLength(FieldLengths.Note);
    }
}
