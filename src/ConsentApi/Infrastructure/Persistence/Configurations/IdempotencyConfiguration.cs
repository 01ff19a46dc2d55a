using ConsentApi.Infrastructure.Idempotency;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ConsentApi.Infrastructure.Persistence.Configurations;

internal sealed class StoredResponseConfiguration : IEntityTypeConfiguration<StoredResponse>
{
    public void Configure(EntityTypeBuilder<StoredResponse> builder)
    {
        builder.ToTable("idempotency_keys");
        // One answer per client and key: should two requests with one key ever both run, the second cannot commit.
        builder.HasKey(s => new { s.ClientId, s.Key });
        builder.Property(s => s.Key).HasMaxLength(IdempotencyKeys.MaxLength);
        builder.Property(s => s.Operation).HasMaxLength(Domain.FieldLengths.Action);
        builder.Property(s => s.Fingerprint).HasMaxLength(64).IsFixedLength();
        // Not personal data the record keeps: expired rows are deleted (IdempotencyLedger), found by this index.
        builder.HasIndex(s => s.CreatedAt);
    }
}
