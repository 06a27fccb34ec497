#pragma once
// What the viewer's tools draw over the district (OSG, no Qt): the shape
// being drawn (an area query's polygon, box or circle, a measured line, a
// grid head's proposed boundary) as a rubber band on the ground, the point
// hits of an area query, markers (a boundary check's findings, records an
// edit would move) and the picked building's label. Everything is drawn on
// top of the scene (no depth test) in a late render bin, as a handful of
// drawables whatever the number of points.
//
// Coordinates: the scene's local ones (EPSG:4547 minus DistrictScene::origin()).
// Thread-safety: like the scene, owned by the render thread once shown.
#include <osg/Camera>
#include <osg/Geometry>
#include <osg/Group>

#include <optional>
#include <string>
#include <vector>

namespace gridtwin::scene {

// Where the ray through window position (x, y) of `camera` (pixels, origin
// bottom-left) meets the plane z = `groundZ` (local coordinates); none when
// the ray runs parallel to it or points away from it.
std::optional<osg::Vec3d> groundPoint(const osg::Camera* camera, double x, double y,
                                      double groundZ = 0);

// A circle as a closed ring of `segments` points (local coordinates).
std::vector<osg::Vec3d> circleRing(const osg::Vec3d& centre, double radius, int segments = 72);

class Overlay {
 public:
  enum class Marks : unsigned char { kHits, kFindings, kMoved };
  // Adds itself under `parent` (the scene's root).
  explicit Overlay(osg::Group* parent);
  ~Overlay();
  Overlay(const Overlay&) = delete;
  Overlay& operator=(const Overlay&) = delete;

  // The shape being drawn: a line through `points`, closed into a ring when
  // `closed`; `filled` also shades its inside (convex shapes and simple
  // polygons drawn as a fan: a hint, not the query's geometry).
  void setShape(const std::vector<osg::Vec3d>& points, bool closed, bool filled = false);
  // A second line, for a grid's current boundary beside a proposed one.
  void setReference(const std::vector<osg::Vec3d>& points);
  // Point marks of one kind (hits: cyan dots; findings: red, large; moved:
  // orange).
  void setMarks(Marks kind, const std::vector<osg::Vec3d>& points);
  // One label above `at` (UTF-8, CJK in the scene's font); empty text: none.
  void setLabel(const std::string& text, const osg::Vec3d& at);
  void clear();

  std::size_t markCount(Marks kind) const;
  const std::string& labelText() const { return m_labelText; }
  osg::Group* node() const { return m_group.get(); }

 private:
  osg::ref_ptr<osg::Group> m_parent;
  osg::ref_ptr<osg::Group> m_group;
  osg::ref_ptr<osg::Geometry> m_line, m_fill, m_reference;
  osg::ref_ptr<osg::Geometry> m_marks[3];
  osg::ref_ptr<osg::Group> m_label;
  std::string m_labelText;
};

}  // namespace gridtwin::scene
