namespace ConsentApi.Infrastructure.Pipeline;

/// <summary>What the current command acted on, named by its handler for the audit trail.</summary>
public sealed class AuditScope
{
    public string? ResourceType { get; private set; }
    public Guid? ResourceId { get; private set; }
    public Guid? OrganisationId { get; private set; }

    /// <summary>Set by a command that found its effect already in place (an erasure repeated): there is nothing to audit.</summary>
    public bool NothingChanged { get; private set; }

    public void On(string resourceType, Guid resourceId, Guid? organisationId = null)
    {
        ResourceType = resourceType;
        ResourceId = resourceId;
        OrganisationId = organisationId;
    }

    public void Unchanged() => NothingChanged = true;

    /// <summary>Forgets what a command sent inside another's transaction named, once its audit event is written.</summary>
    public void Reset()
    {
        ResourceType = null;
        ResourceId = null;
        OrganisationId = null;
        NothingChanged = false;
    }
}
