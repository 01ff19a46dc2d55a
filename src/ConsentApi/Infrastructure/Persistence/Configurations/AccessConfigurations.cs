using ConsentApi.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ConsentApi.Infrastructure.Persistence.Configurations;

internal sealed class ApiClientConfiguration : IEntityTypeConfiguration<ApiClient>
{
    public void Configure(EntityTypeBuilder<ApiClient> builder)
    {
        builder.Property(c => c.Id).ValueGeneratedNever();
        builder.Property(c => c.Name).HasMaxLength(FieldLengths.ClientName);
        builder.Property(c => c.KeyPrefix).HasMaxLength(FieldLengths.KeyPrefix);
        builder.Property(c => c.KeyHash).HasMaxLength(32);
        builder.HasOne<Organisation>().WithMany().HasForeignKey(c => c.OrganisationId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(c => c.KeyPrefix).IsUnique();
        builder.HasIndex(c => c.OrganisationId);
    }
}

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> builder)
    {
        builder.Property(e => e.Id).ValueGeneratedNever();
        builder.Property(e => e.Sequence).UseIdentityAlwaysColumn();
        builder.Property(e => e.Action).HasMaxLength(FieldLengths.Action);
        builder.Property(e => e.ResourceType).HasMaxLength(FieldLengths.ResourceType);
        builder.Property(e => e.RequestId).HasMaxLength(FieldLengths.RequestId);
        builder.HasIndex(e => new { e.OrganisationId, e.Sequence });
    }
}
