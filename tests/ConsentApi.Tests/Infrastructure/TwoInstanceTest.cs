namespace ConsentApi.Tests.Infrastructure;

/// <summary>
/// A test whose writers may go through two API instances on the same database, as two replicas behind a load balancer:
/// the second instance starts once per fixture.
/// </summary>
public abstract class TwoInstanceTest : ApiTest
{
    /// <summary>The second instance, on the first one's database.</summary>
    protected ConsentApiFactory Second { get; private set; } = null!;

    [OneTimeSetUp]
    public void StartSecondInstance() => Second = new ConsentApiFactory(Factory.ConnectionString);

    [OneTimeTearDown]
    public async Task StopSecondInstanceAsync()
    {
        if (Second is not null)
        {
            await Second.DisposeAsync();
        }
    }

    /// <summary>Writer <paramref name="index"/>'s client: every other writer goes through the second instance when there are two.</summary>
    protected HttpClient Writer(string apiKey, int index, int instances)
    {
        var factory = instances == 2 && index % 2 == 1 ? Second : Factory;
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    /// <summary>Starts all <paramref name="writers"/> together, so that their transactions overlap.</summary>
    protected static async Task<HttpResponseMessage[]> AllAtOnceAsync(int writers, Func<int, Task<HttpResponseMessage>> send)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var requests = Enumerable.Range(0, writers).Select(async i =>
        {
            await start.Task;
            return await send(i);
        }).ToList();
        start.SetResult();
        return await Task.WhenAll(requests);
    }
}
