using ConsentApi.Domain;
using ConsentApi.Domain.Imports;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ConsentApi.Infrastructure.Persistence.Configurations;

internal sealed class ImportJobConfiguration : IEntityTypeConfiguration<ImportJob>
{
    public void Configure(EntityTypeBuilder<ImportJob> builder)
    {
        builder.ToTable("import_jobs", t =>
        {
            t.HasCheckConstraint("ck_import_jobs_processed", "processed >= 0 AND (total IS NULL OR total >= 0)");
            t.HasCheckConstraint("ck_import_jobs_size", "size >= 0");
        });
        builder.Property(j => j.Id).ValueGeneratedNever();
        builder.Property(j => j.Sequence).UseIdentityAlwaysColumn();
        builder.Property(j => j.Kind).HasConversion<string>().HasMaxLength(FieldLengths.Status);
        builder.Property(j => j.Status).HasConversion<string>().HasMaxLength(FieldLengths.Status);
        builder.Property(j => j.Sha256).HasMaxLength(71);
        builder.Property(j => j.ContentType).HasMaxLength(200);
        builder.Property(j => j.Errors).HasColumnType("jsonb");
        builder.Property(j => j.Result).HasColumnType("jsonb");
        builder.Property(j => j.LeaseOwner).HasMaxLength(100);
        builder.HasOne<Organisation>().WithMany().HasForeignKey(j => j.OrganisationId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<School>().WithMany().HasForeignKey(j => j.SchoolId).OnDelete(DeleteBehavior.Restrict);
        // The same file sent again for the same purpose is the same job, unless that job failed (the school may have fixed
        // what made it fail, such as its BRIN code).
        builder.HasIndex(j => new { j.SchoolId, j.Kind, j.DryRun, j.Sha256 }).IsUnique().HasFilter("status <> 'Failed'");
        builder.HasIndex(j => new { j.SchoolId, j.Sequence });
        builder.HasIndex(j => j.Sequence).HasFilter("status IN ('Queued', 'Running')");
    }
}

internal sealed class ImportFileConfiguration : IEntityTypeConfiguration<ImportFile>
{
    public void Configure(EntityTypeBuilder<ImportFile> builder)
    {
        builder.ToTable("import_files");
        builder.HasKey(f => f.ImportJobId);
        builder.HasOne<ImportJob>().WithOne().HasForeignKey<ImportFile>(f => f.ImportJobId).OnDelete(DeleteBehavior.Cascade);
    }
}
