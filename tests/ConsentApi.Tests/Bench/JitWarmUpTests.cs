using ConsentApi.Bench;
using ConsentApi.Tests.Infrastructure;

namespace ConsentApi.Tests.Bench;

/// <summary>The bench warms the API up until its JIT is quiet, reading the JIT's count from the API's own scrape.</summary>
public sealed class JitWarmUpTests : ApiTest
{
    [Test]
    public async Task Reads_the_methods_the_API_has_compiled_from_its_scrape()
    {
        var compiled = JitWarmUp.CompiledMethods(await Client().GetStringAsync("/metrics"));

        Assert.That(compiled, Is.GreaterThan(1000), "an API that has started has compiled its start-up");
    }

    [Test]
    public void Reads_the_counter_with_or_without_labels_and_refuses_a_scrape_without_it()
    {
        Assert.Multiple(() =>
        {
            Assert.That(JitWarmUp.CompiledMethods("# TYPE dotnet_jit_compiled_methods_total counter\ndotnet_jit_compiled_methods_total 12345 1733000000000\n"),
                Is.EqualTo(12345));
            Assert.That(JitWarmUp.CompiledMethods("dotnet_jit_compiled_methods_total{otel_scope_name=\"System.Runtime\"} 1.5e4\n"), Is.EqualTo(15000));
            Assert.That(() => JitWarmUp.CompiledMethods("dotnet_gc_collections_total 3\n"), Throws.InvalidOperationException);
        });
    }
}
