using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace ConsentApi.Infrastructure.Persistence;

public static partial class DatabaseCommands
{
    public static async Task MigrateDatabaseAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsentDbContext>();
        // A migration may rebuild an index over every row; the request-sized command timeout would cut it off halfway.
        db.Database.SetCommandTimeout(TimeSpan.Zero);
        // Creating the history table first spares a fresh database the failed lookup EF would otherwise log as an error.
        await db.GetService<IHistoryRepository>().CreateIfNotExistsAsync();
        await db.Database.MigrateAsync();
        if (app.Configuration["Database:RuntimeRole"] is { Length: > 0 } role)
        {
            await RuntimeRole.GrantAsync(db, role, app.Configuration["Database:RuntimeRolePassword"]);
        }
        LogMigrated(app.Logger);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Database migrated.")]
    private static partial void LogMigrated(ILogger logger);
}
