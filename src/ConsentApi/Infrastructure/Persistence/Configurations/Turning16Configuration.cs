using ConsentApi.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ConsentApi.Infrastructure.Persistence.Configurations;

internal sealed class Turning16NoticeConfiguration : IEntityTypeConfiguration<Turning16Notice>
{
    public void Configure(EntityTypeBuilder<Turning16Notice> builder)
    {
        builder.ToTable("turning16_notices");
        builder.HasKey(n => new { n.PupilId, n.Occasion, n.Birthday });
        builder.Property(n => n.Occasion).HasConversion<string>().HasMaxLength(FieldLengths.Status);
        builder.HasOne<Pupil>().WithMany().HasForeignKey(n => n.PupilId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Organisation>().WithMany().HasForeignKey(n => n.OrganisationId).OnDelete(DeleteBehavior.Cascade);
    }
}
