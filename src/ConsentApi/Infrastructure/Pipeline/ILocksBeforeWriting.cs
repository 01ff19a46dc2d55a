namespace ConsentApi.Infrastructure.Pipeline;

/// <summary>
/// A command whose handler takes its consent locks (<see cref="Features.Consents.ConsentChanges"/>) before it writes
/// anything: the command's moment for the database's history triggers is then set with the first lock instead of in a
/// round trip of its own (<see cref="CommandTransactionBehavior{TCommand,TResponse}"/>).
/// </summary>
public interface ILocksBeforeWriting;
