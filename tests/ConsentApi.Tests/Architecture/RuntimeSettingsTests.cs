using System.Text.Json.Nodes;
using ConsentApi.Tests.Infrastructure;

namespace ConsentApi.Tests.Architecture;

/// <summary>
/// The garbage collector's settings the API runs with wherever it runs (<c>dotnet run</c>, the Docker image, the bench):
/// they come from its project file through <c>ConsentApi.runtimeconfig.json</c> next to its build output, and the
/// README's memory measurements hold only with them.
/// </summary>
public sealed class RuntimeSettingsTests
{
    private static JsonObject ConfigProperties()
    {
        var file = Path.ChangeExtension(ApiProcess.Dll(), ".runtimeconfig.json");
        var config = JsonNode.Parse(File.ReadAllText(file))!;
        return config["runtimeOptions"]!["configProperties"]!.AsObject();
    }

    [Test]
    public void The_API_runs_on_server_GC_with_gen0_capped_and_fragmented_generations_compacted()
    {
        var properties = ConfigProperties();

        Assert.Multiple(() =>
        {
            Assert.That((bool?)properties["System.GC.Server"], Is.True, "server GC keeps the check's p99");
            Assert.That((long?)properties["System.GC.Gen0MaxBudget"], Is.EqualTo(16 * 1024 * 1024), "gen0 collects after 16 MiB");
            Assert.That((int?)properties["System.GC.ConserveMemory"], Is.EqualTo(7),
                "gen2 and the large object heap are compacted when fragmented (the roster sync's peak)");
        });
    }
}
