namespace ConsentApi.Domain;

/// <summary>Something that belongs to one school of one organisation: what a client may see follows from these two ids.</summary>
public interface ISchoolScoped
{
    Guid OrganisationId { get; }
    Guid SchoolId { get; }
}
