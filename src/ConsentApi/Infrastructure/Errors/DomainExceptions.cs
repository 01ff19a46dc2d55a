namespace ConsentApi.Infrastructure.Errors;

/// <summary>The few ways a command can be refused. One exception handler turns each into Problem Details.</summary>
public abstract class DomainException(string message) : Exception(message)
{
    /// <summary>Members added to the Problem Details, e.g. the ids that were not found.</summary>
    public IDictionary<string, object?> ProblemExtensions { get; } = new Dictionary<string, object?>();
}

/// <summary>The resource does not exist, or belongs to a tenant or school the caller may not see (never 403 for those).</summary>
public sealed class NotFoundException(string resource, object id)
    : DomainException($"{resource} '{id}' was not found.");

/// <summary>The request conflicts with the current state (a duplicate external id, say).</summary>
public sealed class ConflictException(string message) : DomainException(message);

/// <summary>The resource existed but its content was erased (a proof file of an erased pupil).</summary>
public sealed class GoneException(string message) : DomainException(message);

/// <summary>The request is well-formed but breaks a rule that needs the database to check.</summary>
public sealed class RequestValidationException(IDictionary<string, string[]> errors)
    : DomainException("One or more fields are invalid.")
{
    public IDictionary<string, string[]> Errors { get; } = errors;

    public RequestValidationException(string field, string error) : this(new Dictionary<string, string[]> { [field] = [error] })
    {
    }
}

/// <summary>The caller is known but not allowed to do this.</summary>
public sealed class ForbiddenException(string message) : DomainException(message);

/// <summary>A body whose content is not of a type the operation accepts (judged by the content, not by what it claims).</summary>
public sealed class UnsupportedContentException(string message) : DomainException(message);
