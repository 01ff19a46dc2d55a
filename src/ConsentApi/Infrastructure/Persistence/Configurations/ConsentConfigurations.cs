using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ConsentApi.Infrastructure.Persistence.Configurations;

internal sealed class ChannelConfiguration : IEntityTypeConfiguration<Channel>
{
    public void Configure(EntityTypeBuilder<Channel> builder)
    {
        builder.Property(c => c.Id).ValueGeneratedNever();
        builder.HasAlternateKey(c => new { c.OrganisationId, c.Key });
        builder.Property(c => c.Key).HasMaxLength(FieldLengths.ChannelKey);
        builder.Property(c => c.NameNl).HasMaxLength(FieldLengths.ChannelName);
        builder.Property(c => c.NameEn).HasMaxLength(FieldLengths.ChannelName);
        builder.Property(c => c.Audience).HasConversion<string>().HasMaxLength(FieldLengths.Status);
        builder.Property(c => c.Recall).HasConversion<string>().HasMaxLength(FieldLengths.Status);
        builder.HasOne<Organisation>().WithMany().HasForeignKey(c => c.OrganisationId).OnDelete(DeleteBehavior.Restrict);
        builder.ToTable(t => t.HasCheckConstraint("ck_channels_key", "key ~ '^[a-z0-9]+(-[a-z0-9]+)*$'"));
    }
}

internal sealed class ConsentFormConfiguration : IEntityTypeConfiguration<ConsentForm>
{
    public void Configure(EntityTypeBuilder<ConsentForm> builder)
    {
        builder.Property(f => f.Id).ValueGeneratedNever();
        builder.Property(f => f.Name).HasMaxLength(FieldLengths.Name);
        builder.HasOne<Organisation>().WithMany().HasForeignKey(f => f.OrganisationId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<School>().WithMany().HasForeignKey(f => f.SchoolId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(f => f.Versions).WithOne().HasForeignKey(v => v.FormId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(f => new { f.OrganisationId, f.Id });
    }
}

internal sealed class ConsentFormVersionConfiguration : IEntityTypeConfiguration<ConsentFormVersion>
{
    public void Configure(EntityTypeBuilder<ConsentFormVersion> builder)
    {
        builder.Property(v => v.Id).ValueGeneratedNever();
        builder.Property(v => v.Status).HasConversion<string>().HasMaxLength(FieldLengths.Status);
        builder.Property(v => v.Validity).HasConversion<string>().HasMaxLength(FieldLengths.Status);
        builder.Property(v => v.TextNl).HasMaxLength(FieldLengths.FormText);
        builder.Property(v => v.TextEn).HasMaxLength(FieldLengths.FormText);
        builder.Property(v => v.SchoolYear).HasMaxLength(FieldLengths.SchoolYear);
        builder.Property(v => v.ContentHash).HasMaxLength(FieldLengths.ContentHash);
        builder.Property(v => v.WithdrawalReason).HasMaxLength(FieldLengths.Note);
        builder.HasMany(v => v.Items).WithOne().HasForeignKey(i => i.VersionId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(v => new { v.FormId, v.Number }).IsUnique();
        builder.ToTable(t =>
        {
            t.HasCheckConstraint("ck_consent_form_versions_school_year", "(validity = 'SchoolYear') = (school_year IS NOT NULL)");
            t.HasCheckConstraint("ck_consent_form_versions_published",
                "(status <> 'Draft') = (published_at IS NOT NULL AND content_hash IS NOT NULL)");
            t.HasCheckConstraint("ck_consent_form_versions_withdrawn",
                "(status = 'Withdrawn') = (withdrawn_at IS NOT NULL) AND (withdrawal_reason IS NULL OR withdrawn_at IS NOT NULL)");
        });
    }
}

internal sealed class ConsentFormItemConfiguration : IEntityTypeConfiguration<ConsentFormItem>
{
    public void Configure(EntityTypeBuilder<ConsentFormItem> builder)
    {
        builder.HasKey(i => new { i.VersionId, i.MediaType, i.ChannelKey });
        builder.Property(i => i.MediaType).HasConversion<string>().HasMaxLength(FieldLengths.Status);
        builder.Property(i => i.ChannelKey).HasMaxLength(FieldLengths.ChannelKey);
        builder.HasOne<Channel>().WithMany().HasForeignKey(i => new { i.OrganisationId, i.ChannelKey })
            .HasPrincipalKey(c => new { c.OrganisationId, c.Key }).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(i => new { i.OrganisationId, i.MediaType, i.ChannelKey });
    }
}

internal sealed class DecisionConfiguration : IEntityTypeConfiguration<Decision>
{
    public void Configure(EntityTypeBuilder<Decision> builder)
    {
        builder.Property(d => d.Id).ValueGeneratedNever();
        builder.Property(d => d.Sequence).UseIdentityAlwaysColumn();
        builder.Property(d => d.MediaType).HasConversion<string>().HasMaxLength(FieldLengths.Status);
        builder.Property(d => d.ChannelKey).HasMaxLength(FieldLengths.ChannelKey);
        builder.Property(d => d.Outcome).HasConversion<string>().HasMaxLength(FieldLengths.Status);
        builder.Property(d => d.Method).HasConversion<string>().HasMaxLength(FieldLengths.Status);
        builder.Property(d => d.ProofReference).HasMaxLength(FieldLengths.ProofReference);
        builder.Property(d => d.Note).HasMaxLength(FieldLengths.Note);
        builder.Property(d => d.Language).HasMaxLength(2).HasDefaultValue("nl");
        builder.HasOne<Pupil>().WithMany().HasForeignKey(d => d.PupilId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Guardian>().WithMany().HasForeignKey(d => d.GuardianId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<ConsentFormVersion>().WithMany().HasForeignKey(d => d.FormVersionId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Channel>().WithMany().HasForeignKey(d => new { d.OrganisationId, d.ChannelKey })
            .HasPrincipalKey(c => new { c.OrganisationId, c.Key }).OnDelete(DeleteBehavior.Restrict);
        // The facts of every consent read: each person's latest decision per item (ConsentFactsReader). In the order the
        // reader picks them, each person's decisions on an item newest first, and covering what it filters on, so that it
        // reads each history once from the index only (once vacuum has marked the pages visible) with no sort, and reads
        // the table for the chosen decisions alone: one pupil's decisions lie side by side here but scattered over the
        // heap, and history only grows (ten decisions per person and item after ten yearly campaigns).
        builder.HasIndex(d => new { d.PupilId, d.MediaType, d.ChannelKey, d.GuardianId, d.GivenAt, d.Sequence })
            .IsDescending(false, false, false, false, true, true)
            .IncludeProperties(d => new { d.Id, d.Outcome, d.FormVersionId, d.RecordedAt });
        builder.HasIndex(d => new { d.PupilId, d.Sequence });
        builder.HasIndex(d => d.BatchId);
    }
}

internal sealed class AnnouncedConsentConfiguration : IEntityTypeConfiguration<AnnouncedConsent>
{
    public void Configure(EntityTypeBuilder<AnnouncedConsent> builder)
    {
        builder.ToTable("announced_consents");
        builder.HasKey(a => new { a.PupilId, a.MediaType, a.ChannelKey });
        builder.Property(a => a.MediaType).HasConversion<string>().HasMaxLength(FieldLengths.Status);
        builder.Property(a => a.ChannelKey).HasMaxLength(FieldLengths.ChannelKey);
        builder.Property(a => a.State).HasConversion<string>().HasMaxLength(FieldLengths.StateName);
        builder.HasOne<Pupil>().WithMany().HasForeignKey(a => a.PupilId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CampaignConfiguration : IEntityTypeConfiguration<Campaign>
{
    public void Configure(EntityTypeBuilder<Campaign> builder)
    {
        builder.Property(c => c.Id).ValueGeneratedNever();
        builder.Property(c => c.SchoolYear).HasMaxLength(FieldLengths.SchoolYear);
        builder.HasOne<School>().WithMany().HasForeignKey(c => c.SchoolId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<ConsentFormVersion>().WithMany().HasForeignKey(c => c.FormVersionId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(c => new { c.SchoolId, c.Id });
        builder.ToTable(t => t.HasCheckConstraint("ck_campaigns_dates", "closes_on >= opens_on"));
    }
}

internal sealed class ConsentRequestConfiguration : IEntityTypeConfiguration<ConsentRequest>
{
    public void Configure(EntityTypeBuilder<ConsentRequest> builder)
    {
        builder.Property(r => r.Id).ValueGeneratedNever();
        builder.HasOne<Campaign>().WithMany().HasForeignKey(r => r.CampaignId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Pupil>().WithMany().HasForeignKey(r => r.PupilId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(r => new { r.CampaignId, r.PupilId }).IsUnique();
        builder.HasIndex(r => r.PupilId);
    }
}

internal sealed class ProofFileConfiguration : IEntityTypeConfiguration<ProofFile>
{
    public void Configure(EntityTypeBuilder<ProofFile> builder)
    {
        builder.Property(f => f.Id).ValueGeneratedNever();
        builder.Property(f => f.MediaType).HasMaxLength(FieldLengths.MediaTypeName);
        builder.Property(f => f.Sha256).HasMaxLength(FieldLengths.ContentHash);
        builder.Property(f => f.FileName).HasMaxLength(FieldLengths.FileName);
        builder.HasOne<Pupil>().WithMany().HasForeignKey(f => f.PupilId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(f => new { f.BatchId, f.Id });
        builder.HasIndex(f => new { f.PupilId, f.Id });
        builder.ToTable(t => t.HasCheckConstraint("ck_proof_files_size", "size > 0"));
    }
}

internal sealed class ProofFileChunkConfiguration : IEntityTypeConfiguration<ProofFileChunk>
{
    public void Configure(EntityTypeBuilder<ProofFileChunk> builder)
    {
        builder.HasKey(c => new { c.ProofFileId, c.Index });
        builder.HasOne<ProofFile>().WithMany().HasForeignKey(c => c.ProofFileId).OnDelete(DeleteBehavior.Restrict);
    }
}
