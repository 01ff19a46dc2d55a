using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Infrastructure.Persistence;

public static partial class DatabaseCommands
{
    public static async Task MigrateDatabaseAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsentDbContext>();
        await db.Database.MigrateAsync();
        LogMigrated(app.Logger);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Database migrated.")]
    private static partial void LogMigrated(ILogger logger);
}
