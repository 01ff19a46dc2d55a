using ConsentApi.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ConsentApi.Infrastructure.Persistence.Configurations;

internal sealed class OrganisationConfiguration : IEntityTypeConfiguration<Organisation>
{
    public void Configure(EntityTypeBuilder<Organisation> builder)
    {
        builder.Property(o => o.Id).ValueGeneratedNever();
        builder.Property(o => o.Name).HasMaxLength(FieldLengths.Name);
        builder.Property(o => o.GrantRequires).HasConversion<string>().HasMaxLength(FieldLengths.Status);
        builder.Property(o => o.TimeZone).HasMaxLength(FieldLengths.TimeZone).HasDefaultValue(ConsentCalendar.DefaultTimeZone);
        builder.Property(o => o.AfterLeaving).HasConversion<string>().HasMaxLength(FieldLengths.Status)
            .HasDefaultValue(Domain.Consent.ConsentAfterLeaving.Ends);
        builder.Ignore(o => o.Policy);
        builder.Property(o => o.KeepMonthsAfterLeaving).HasDefaultValue(RetentionPolicy.DefaultKeepMonths);
        builder.ToTable(t =>
        {
            t.HasCheckConstraint("ck_organisations_school_year_end",
                "make_date(2001, school_year_end_month, school_year_end_day) IS NOT NULL");
            t.HasCheckConstraint("ck_organisations_keep_months_after_leaving",
                $"keep_months_after_leaving BETWEEN {RetentionPolicy.MinKeepMonths} AND {RetentionPolicy.MaxKeepMonths}");
        });
        builder.HasIndex(o => o.Name).IsUnique();
    }
}

internal sealed class SchoolConfiguration : IEntityTypeConfiguration<School>
{
    public void Configure(EntityTypeBuilder<School> builder)
    {
        builder.Property(s => s.Id).ValueGeneratedNever();
        builder.Property(s => s.Name).HasMaxLength(FieldLengths.Name);
        builder.Property(s => s.BrinCode).HasMaxLength(FieldLengths.BrinCode);
        builder.HasOne<Organisation>().WithMany().HasForeignKey(s => s.OrganisationId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(s => new { s.OrganisationId, s.BrinCode }).IsUnique();
    }
}

internal sealed class GroupConfiguration : IEntityTypeConfiguration<Group>
{
    public void Configure(EntityTypeBuilder<Group> builder)
    {
        builder.Property(g => g.Id).ValueGeneratedNever();
        builder.Property(g => g.ExternalId).HasMaxLength(FieldLengths.ExternalId);
        builder.Property(g => g.Name).HasMaxLength(FieldLengths.GroupName);
        builder.Property(g => g.SchoolYear).HasMaxLength(FieldLengths.SchoolYear);
        builder.HasOne<School>().WithMany().HasForeignKey(g => g.SchoolId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(g => new { g.SchoolId, g.ExternalId }).IsUnique();
        builder.ToTable(t => t.HasCheckConstraint("ck_groups_school_year",
            "school_year ~ '^[0-9]{4}-[0-9]{4}$' AND right(school_year, 4)::int = left(school_year, 4)::int + 1"));
    }
}

internal sealed class PupilConfiguration : IEntityTypeConfiguration<Pupil>
{
    public void Configure(EntityTypeBuilder<Pupil> builder)
    {
        builder.Property(p => p.Id).ValueGeneratedNever();
        builder.Property(p => p.ExternalId).HasMaxLength(FieldLengths.ExternalId);
        builder.Property(p => p.DisplayName).HasMaxLength(FieldLengths.Name);
        builder.Property(p => p.Status).HasConversion<string>().HasMaxLength(FieldLengths.Status);
        builder.HasOne<School>().WithMany().HasForeignKey(p => p.SchoolId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Group>().WithMany().HasForeignKey(p => p.GroupId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(p => p.Guardians).WithOne().HasForeignKey(l => l.PupilId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(p => new { p.SchoolId, p.ExternalId }).IsUnique();
        builder.HasIndex(p => new { p.SchoolId, p.Id });
        builder.HasIndex(p => p.GroupId);
        // The retention sweep's search: pupils who left and are not erased yet.
        builder.HasIndex(p => p.LeftOn).HasFilter("status = 'Left' AND erased_at IS NULL").HasDatabaseName("ix_pupils_awaiting_erasure");
        builder.ToTable(t =>
        {
            t.HasCheckConstraint("ck_pupils_left_on", "(status = 'Left') = (left_on IS NOT NULL)");
            // Only a pupil who left can be erased: the school keeps the administration of an enrolled pupil by law.
            t.HasCheckConstraint("ck_pupils_erased_left", "erased_at IS NULL OR status = 'Left'");
        });
    }
}

internal sealed class GuardianConfiguration : IEntityTypeConfiguration<Guardian>
{
    public void Configure(EntityTypeBuilder<Guardian> builder)
    {
        builder.Property(g => g.Id).ValueGeneratedNever();
        builder.Property(g => g.ExternalId).HasMaxLength(FieldLengths.ExternalId);
        builder.Property(g => g.DisplayName).HasMaxLength(FieldLengths.Name);
        builder.HasOne<Organisation>().WithMany().HasForeignKey(g => g.OrganisationId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(g => new { g.OrganisationId, g.ExternalId }).IsUnique();
    }
}

internal sealed class GuardianLinkConfiguration : IEntityTypeConfiguration<GuardianLink>
{
    public void Configure(EntityTypeBuilder<GuardianLink> builder)
    {
        builder.ToTable("guardian_links");
        builder.HasKey(l => new { l.PupilId, l.GuardianId });
        builder.HasOne<Guardian>().WithMany().HasForeignKey(l => l.GuardianId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(l => l.GuardianId);
    }
}

internal sealed class GuardianSchoolConfiguration : IEntityTypeConfiguration<GuardianSchool>
{
    public void Configure(EntityTypeBuilder<GuardianSchool> builder)
    {
        builder.ToTable("guardian_schools");
        builder.HasKey(k => new { k.GuardianId, k.SchoolId });
        builder.Property(k => k.DisplayName).HasMaxLength(FieldLengths.Name);
        builder.HasOne<Guardian>().WithMany().HasForeignKey(k => k.GuardianId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<School>().WithMany().HasForeignKey(k => k.SchoolId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(k => new { k.SchoolId, k.GuardianId });
    }
}

internal sealed class PupilErasureConfiguration : IEntityTypeConfiguration<PupilErasure>
{
    public void Configure(EntityTypeBuilder<PupilErasure> builder)
    {
        builder.ToTable("pupil_erasures");
        builder.HasKey(e => e.PupilId);
        builder.Property(e => e.Reason).HasConversion<string>().HasMaxLength(FieldLengths.Status);
        builder.HasOne<Pupil>().WithOne().HasForeignKey<PupilErasure>(e => e.PupilId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(e => new { e.OrganisationId, e.ErasedAt });
    }
}
