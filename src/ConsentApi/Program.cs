using ConsentApi.Infrastructure;
using ConsentApi.Infrastructure.Persistence;

var builder = WebApplication.CreateBuilder(args);
builder.AddConsentApi();

var app = builder.Build();
app.UseConsentApi();

switch (args.FirstOrDefault())
{
    case "migrate":
        await app.MigrateDatabaseAsync();
        return;
    case "seed-demo":
        await app.MigrateDatabaseAsync();
        await app.SeedDemoAsync();
        return;
}

if (app.Configuration.GetValue<bool>("Database:MigrateOnStartup"))
{
    await app.MigrateDatabaseAsync();
}

await app.RunAsync();

public partial class Program;
