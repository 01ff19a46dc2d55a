namespace ConsentApi.Infrastructure.Pipeline;

/// <summary>
/// Work a command's handler may only do once the command's transaction has committed: anything run earlier can be
/// undone by a rollback, or be overtaken by a concurrent request that still reads the old rows.
/// </summary>
public sealed class AfterCommit
{
    private readonly List<Action> _actions = [];

    public void Add(Action action) => _actions.Add(action);

    /// <summary>Called by <see cref="CommandTransactionBehavior{TCommand,TResponse}"/> once the commit succeeded.</summary>
    public void Run()
    {
        foreach (var action in _actions)
        {
            action();
        }
        _actions.Clear();
    }

    /// <summary>Drops what a rolled-back attempt left, before the command is run again.</summary>
    public void Clear() => _actions.Clear();
}
