using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace ConsentApi.Infrastructure.Persistence;

/// <summary>Lets <c>dotnet ef</c> build the model without starting the web host.</summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<ConsentDbContext>
{
    public ConsentDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<ConsentDbContext>();
        ConsentDb.Configure(options,
            Environment.GetEnvironmentVariable($"ConnectionStrings__{ConsentDb.ConnectionStringName}")
            ?? "Host=localhost;Database=consent_design");
        return new ConsentDbContext(options.Options);
    }
}
